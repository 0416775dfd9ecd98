import t from 'tap'
import { execFile } from 'node:child_process'
import { readdir } from 'node:fs/promises'
import { promisify } from 'node:util'
import { createTestDatabase } from '@m365/db/testing'
import { runMigrations } from '../src/index.js'
import { migrationsFolder } from './fixtures/app.js'

t.test('runMigrations applies what is pending into the schema and says how many', async (t) => {
  const database = await createTestDatabase(t)
  const lines: string[] = []
  const options = { service: 'kit-test', dbSchema: 'kit_test', migrationsFolder, env: { DATABASE_URL: database.url }, out: { write: (line: string) => lines.push(line) } }
  await runMigrations(options)
  await runMigrations(options)
  t.same(lines, ['kit-test: 2 migration(s) applied\n', 'kit-test: 0 migration(s) applied\n'])
})

/** test/fixtures/migrate.ts (a migrate.js as the Job runs it) with exactly `env`: exit code, stdout, stderr. */
async function migrate (env: Record<string, string>) {
  const run = promisify(execFile)(process.execPath, ['--conditions=@m365/source', '--import', 'tsx', 'test/fixtures/migrate.ts'], {
    cwd: new URL('..', import.meta.url).pathname,
    env: { PATH: process.env.PATH, ...env }
  })
  return await run.then(({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: { code: number, stdout: string, stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }))
}

t.test('migrate.js needs DATABASE_URL only, not the variables its service needs to run (the Job passes no ENCRYPTION_KEY)', async (t) => {
  const database = await createTestDatabase(t)
  t.same(await migrate({ DATABASE_URL: database.url }), { code: 0, stdout: 'kit-test: 2 migration(s) applied\n', stderr: '' })
})

t.test('migrate.js without DATABASE_URL: one line naming it, exit 1, no embedded database migrated instead', async (t) => {
  const dataDir = t.testdir()
  t.same(await migrate({ DATA_DIR: dataDir }), { code: 1, stdout: '', stderr: 'config: DATABASE_URL is required\n' })
  t.same(await readdir(dataDir), [], 'nothing written under DATA_DIR')
})

t.test('migrate.js with the database unreachable: one line naming the problem, exit 1', async (t) => {
  t.same(await migrate({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' }),
    { code: 1, stdout: '', stderr: 'kit-test: cannot migrate: connect ECONNREFUSED 127.0.0.1:1\n' })
})
