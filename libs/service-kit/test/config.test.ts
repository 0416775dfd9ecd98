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
  t.throws(() => loadConfig(BaseConfig, { DATABASE_URL: 'mysql://x' }), { message: 'config: DATABASE_URL must be a postgres:// URL' })
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
