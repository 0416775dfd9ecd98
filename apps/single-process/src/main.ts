import closeWithGrace from 'close-with-grace'
import { pino, type LoggerOptions } from 'pino'
import { ConfigError, loadConfigOrExit, loggerOptions } from '@m365/service-kit'
import { SingleProcessConfig } from './config.js'
import { SINGLE_PROCESS, startSingleProcess } from './start.js'

const config = loadConfigOrExit(SingleProcessConfig)
// no `service` in the root's bindings: each line names one (a service's, or SINGLE_PROCESS), never two
const root = pino(loggerOptions({ LOG_LEVEL: config.LOG_LEVEL }) as LoggerOptions)
const log = root.child({ service: config.SERVICE_NAME ?? SINGLE_PROCESS })

const running = await startSingleProcess(config, process.env, root).catch((err) => {
  // a service's bad variable: one line, as for the process's own config above
  if (err instanceof ConfigError) process.stderr.write(`${err.message}\n`)
  else log.fatal({ err }, 'cannot start')
  process.exit(1)
})

closeWithGrace({ delay: config.CLOSE_GRACE_MS }, async ({ signal, err }) => {
  if (err) log.error({ err }, 'closing after error')
  else log.info({ signal }, 'closing')
  await running.close()
})

const mode = running.simulators ? 'demo: built-in Microsoft 365 and PSA simulators' : 'connected to Microsoft 365'
log.info({ url: running.url, docs: `${running.url}/docs`, devTokens: running.devTokensFile, mode }, 'm365-insight is running')
process.stdout.write([
  '',
  `  m365-insight is running at ${running.url}  (${mode})`,
  `  API docs:    ${running.url}/docs`,
  `  tokens:      ${running.devTokensFile}  (or: npm run token -- --role msp)`,
  `  try:         curl -H "Authorization: Bearer $(node -p "require('${running.devTokensFile}').msp")" ${running.url}/v1/clients`,
  ''
].join('\n') + '\n')

const seeded = await running.seeded
if (seeded.length > 0) log.info({ clients: seeded }, 'demo data ready: clients connected, synced and reported')
