import t from 'tap'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { Type } from '@sinclair/typebox'
import { BaseConfig, ConfigError, loadConfig } from '../src/index.js'
import { FixtureConfig } from './fixtures/app.js'

t.test('defaults are filled and strings coerced', async (t) => {
  const config = loadConfig(BaseConfig, { PORT: '8080', UNRELATED: 'x', DATABASE_URL: '' })
  t.match(config, { HOST: '0.0.0.0', PORT: 8080, LOG_LEVEL: 'info', DATA_DIR: './data', CLOSE_GRACE_MS: 10_000 })
  t.notOk('UNRELATED' in config, 'unknown variables are dropped')
  t.notOk('DATABASE_URL' in config, 'an empty variable counts as unset')
})

t.test('a bad value is one line naming the variable and the problem', async (t) => {
  t.throws(() => loadConfig(FixtureConfig, { ENCRYPTION_KEY: 'abc' }), new ConfigError(['ENCRYPTION_KEY must be 64 hex characters']))
  t.throws(() => loadConfig(BaseConfig, { PORT: 'eighty' }), { message: 'config: PORT must be integer' })
  t.throws(() => loadConfig(BaseConfig, { LOG_LEVEL: 'loud' }),
    { message: 'config: LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent' })
  t.throws(() => loadConfig(BaseConfig, { DATABASE_URL: 'mysql://x' }), { message: /^config: DATABASE_URL must be a postgres:\/\/ URL/ })
})

t.test('a missing required variable, several problems still one line', async (t) => {
  const Schema = Type.Composite([BaseConfig, Type.Object({ AZURE_CLIENT_ID: Type.String({ minLength: 1 }) })])
  t.throws(() => loadConfig(Schema, {}), { message: 'config: AZURE_CLIENT_ID is required' })
  const err = t.throws(() => loadConfig(Schema, { PORT: '-1' })) as Error
  t.equal(err.message, 'config: AZURE_CLIENT_ID is required; PORT must be >= 0')
  t.notMatch(err.message, /\n/)
})

t.test('loadConfigOrExit: the line on stderr, exit code 1, nothing else', async (t) => {
  const script = "import { loadConfigOrExit } from './src/index.ts'; import { FixtureConfig } from './test/fixtures/app.ts'; loadConfigOrExit(FixtureConfig); console.log('started')"
  const run = promisify(execFile)(process.execPath, ['--conditions=@m365/source', '--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: new URL('..', import.meta.url).pathname,
    env: { PATH: process.env.PATH, ENCRYPTION_KEY: 'nothex' }
  })
  const err = await run.then(() => undefined, (err: { code: number, stdout: string, stderr: string }) => err)
  t.ok(err, 'exits non-zero')
  t.equal(err?.code, 1)
  t.equal(err?.stderr, 'config: ENCRYPTION_KEY must be 64 hex characters\n')
  t.equal(err?.stdout, '')
})

t.test('a DATABASE_URL the postgres driver cannot read is a config error naming it, never showing the password', async (t) => {
  const unencoded = 'postgres://app:gen/erated@db.internal:5432/app' // a base64 password with its '/' not percent-encoded
  const err = t.throws(() => loadConfig(BaseConfig, { DATABASE_URL: unencoded })) as Error
  t.equal(err.message, 'config: DATABASE_URL must be a postgres:// URL (percent-encode special characters in the user name and password)')
  t.throws(() => loadConfig(BaseConfig, { DATABASE_URL: 'postgres://app:100%@db/app' }), { message: /^config: DATABASE_URL must be/ })
  for (const url of ['postgres://app:gen%2Ferated@db.internal:5432/app?sslmode=require', 'postgresql://u:p@db-1:5432,db-2:5432/app', 'postgres://db/app']) {
    t.equal(loadConfig(BaseConfig, { DATABASE_URL: url }).DATABASE_URL, url, `${url} is fine`)
  }

  // a service started with it: one line on stderr, and the password nowhere (the driver's error carried the whole URL)
  const run = promisify(execFile)(process.execPath, ['--conditions=@m365/source', '--import', 'tsx', 'test/fixtures/server.ts'], {
    cwd: new URL('..', import.meta.url).pathname,
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: '0', DATABASE_URL: unencoded, NATS_URL: 'nats://127.0.0.1:4222' }
  })
  const started = await run.then(() => undefined, (err: { code: number, stdout: string, stderr: string }) => err)
  t.equal(started?.code, 1, 'exits 1')
  t.equal(started?.stderr, `${err.message}\n`)
  t.notMatch(`${started?.stdout}${started?.stderr}`, /erated/, 'the password is not printed')
})

t.test('a data service run on its own without DATABASE_URL or NATS_URL stops with one line instead of going embedded', async (t) => {
  const start = (env: Record<string, string>) => promisify(execFile)(process.execPath, ['--conditions=@m365/source', '--import', 'tsx', 'test/fixtures/server-on-its-own.ts'], {
    cwd: new URL('..', import.meta.url).pathname,
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: '0', ...env }
  }).then(() => undefined, (err: { code: number, stderr: string }) => err)
  const neither = await start({})
  t.equal(neither?.code, 1, 'exits 1')
  t.equal(neither?.stderr, 'config: DATABASE_URL is required; NATS_URL is required (a service on its own needs Postgres and NATS; npm start runs them all in one process)\n')
  const noBus = await start({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres' })
  t.match(noBus, { code: 1, stderr: /^config: NATS_URL is required/ })
})
