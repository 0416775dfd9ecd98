import t from 'tap'
import { readFile } from 'node:fs/promises'
import { spawnSync } from 'node:child_process'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { pino } from 'pino'
import { createTestDataDir } from '@m365/db/testing'
import { loadConfig } from '@m365/service-kit'
import { SingleProcessConfig } from '../src/config.js'
import { startSingleProcess } from '../src/start.js'

async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

t.test('npm start: embedded database, in-process bus, simulators, seeded demo', async (t) => {
  const dataDir = await createTestDataDir(t)
  const port = await freePort()
  const env = { DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'silent' }
  const config = loadConfig(SingleProcessConfig, env)
  const running = await startSingleProcess(config, env, pino({ level: 'silent' }))
  t.teardown(() => running.close())

  t.equal((await fetch(`${running.url}/healthz`)).status, 200, '/healthz answers 200')
  const ready = await fetch(`${running.url}/readyz`)
  t.equal(ready.status, 200, '/readyz answers 200')
  t.same(((await ready.json()) as { checks: unknown }).checks, { db: 'ok', bus: 'ok' }, 'readiness checks the database and the bus')

  const seeded = await running.seeded
  t.equal(seeded.length, 3, 'one demo client per demo tenant')

  const tokens = JSON.parse(await readFile(running.devTokensFile, 'utf8')) as { msp: string, clients: Record<string, string> }
  t.same(Object.keys(tokens.clients).sort(), [...seeded].sort(), 'dev-tokens.json holds a token for each client')

  const clientId = seeded[0]!
  const asClient = { authorization: `Bearer ${tokens.clients[clientId]}` }
  const reports = await (await fetch(`${running.url}/v1/clients/${clientId}/reports`, { headers: { authorization: `Bearer ${tokens.msp}` } })).json() as { items: Array<{ latestVersion: { status: string, rowCount: number } }> }
  t.equal(reports.items[0]?.latestVersion.status, 'ready', 'the demo report has a first version')
  t.ok((reports.items[0]?.latestVersion.rowCount ?? 0) > 0, 'with rows')

  const other = seeded[1]!
  const foreign = await fetch(`${running.url}/v1/clients/${other}/office365/users`, { headers: asClient })
  t.equal(foreign.status, 404, "a client's token cannot read another client's users")
  const docs = await fetch(`${running.url}/openapi.json`)
  t.equal(docs.status, 200, 'the OpenAPI document is served on the public port')

  const webhook = await fetch(`${running.url}/webhooks/autotask/00000000-0000-4000-8000-000000000000`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}'
  })
  t.equal(webhook.status, 404, 'webhooks reach contacts-ingest through the public port (unknown connection)')
})

t.test('stopped while the demo is being seeded: the seed stops quietly, not logged as a failure', async (t) => {
  const dataDir = await createTestDataDir(t)
  const port = await freePort()
  const env = { DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' }
  const lines: Array<{ level: number, msg: string, service?: string }> = []
  const raw: string[] = []
  const log = pino({ level: 'info' }, {
    write: (line: string) => {
      raw.push(line)
      lines.push(JSON.parse(line) as { level: number, msg: string })
    }
  })
  const running = await startSingleProcess(loadConfig(SingleProcessConfig, env), env, log)
  await running.close()
  t.same(await running.seeded, [], 'no client was seeded')
  t.ok(lines.some((line) => line.msg === 'demo seed stopped: closing'), 'said why the seed stopped')
  t.notOk(lines.some((line) => line.msg === 'demo seed failed'), 'no "demo seed failed" error')
  t.same(raw.filter((line) => line.split('"service":').length !== 2), [], 'every line names one service, once')
  t.same(new Set(lines.map((line) => line.service)), new Set(['single-process', 'tenant-auth', 'graph-sync', 'contacts-ingest', 'report', 'gateway']))
})

t.test('a bad variable of one service stops npm start with one line naming it, before any service starts', async (t) => {
  const dataDir = await createTestDataDir(t)
  const port = await freePort()
  const env = { DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'silent', SYNC_CONCURRENCY: '0' }
  const started = startSingleProcess(loadConfig(SingleProcessConfig, env), env, pino({ level: 'silent' }))
  await t.rejects(started, { name: 'ConfigError', message: 'config: SYNC_CONCURRENCY must be >= 1' })

  const main = fileURLToPath(new URL('../src/main.ts', import.meta.url))
  const child = spawnSync(process.execPath, ['--conditions=@m365/source', '--import', 'tsx', main], {
    env: { ...process.env, ...env, LOG_LEVEL: 'info' }, encoding: 'utf8', timeout: 120_000
  })
  t.equal(child.status, 1, 'exit code 1')
  t.equal(child.stderr, 'config: SYNC_CONCURRENCY must be >= 1\n', 'one line on stderr')
  t.notMatch(child.stdout, /"service":"(report|tenant-auth)"/, 'no service started')
})
