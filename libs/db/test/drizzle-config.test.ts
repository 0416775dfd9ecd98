import t from 'tap'
import { execFile } from 'node:child_process'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { defineServiceDrizzleConfig } from '../src/drizzle-config.js'

const root = resolve(import.meta.dirname, '..')

t.test('one service: its schema only, its own migrations folder and table', async (t) => {
  const config = defineServiceDrizzleConfig({ schema: 'report', root: join(process.cwd(), 'services/report') })
  t.match(config, {
    dialect: 'postgresql',
    schema: 'services/report/src/db/schema.ts',
    out: 'services/report/src/db/migrations',
    schemaFilter: ['report'],
    migrations: { schema: 'report', table: '__drizzle_migrations' }
  })
})

t.test('the committed fixture migrations match the fixture schema (drizzle-kit generate finds nothing)', async (t) => {
  const { stdout } = await promisify(execFile)(join(root, '../../node_modules/.bin/drizzle-kit'),
    ['generate', '--config', 'test/fixtures/example/drizzle.config.ts'],
    { cwd: root, env: { ...process.env, NODE_OPTIONS: '--conditions=@m365/source' } })
  t.match(stdout, /No schema changes/)
})
