import t from 'tap'
import { createTestDatabase } from '@m365/db/testing'
import { BaseConfig, runMigrations } from '../src/index.js'
import { migrationsFolder } from './fixtures/app.js'

t.test('runMigrations applies what is pending into the schema and says how many', async (t) => {
  const database = await createTestDatabase(t)
  const lines: string[] = []
  const options = { service: 'kit-test', configSchema: BaseConfig, dbSchema: 'kit_test', migrationsFolder, env: { DATABASE_URL: database.url }, out: { write: (line: string) => lines.push(line) } }
  await runMigrations(options)
  await runMigrations(options)
  t.same(lines, ['kit-test: 2 migration(s) applied\n', 'kit-test: 0 migration(s) applied\n'])
})
