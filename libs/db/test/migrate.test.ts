import t, { type Test } from 'tap'
import { eq } from 'drizzle-orm'
import { createServiceDb, migrate, openDatabase, type DatabaseHandle } from '../src/index.js'
import { createTestDatabase, createTestPglite } from '../src/testing.js'
import * as tables from './fixtures/example/schema.js'
import { appliedHashes, exampleMigrations } from './helper.js'

const drivers: Record<string, (t: Test) => Promise<DatabaseHandle>> = {
  postgres: async (t) => {
    const { url } = await createTestDatabase(t)
    const handle = await openDatabase({ url })
    t.teardown(() => handle.close())
    return handle
  },
  pglite: async (t) => (await createTestPglite(t)).handle
}

for (const [driver, open] of Object.entries(drivers)) {
  t.test(`${driver}: migrations apply into the service schema, then nothing on re-run`, async (t) => {
    const handle = await open(t)
    t.equal(handle.kind, driver)
    const service = createServiceDb(handle, { schema: 'example', migrationsFolder: exampleMigrations, tables })
    t.same(await service.migrate(), { applied: 2 })
    t.same(await service.migrate(), { applied: 0 }, 'idempotent')
    t.equal((await appliedHashes(service.db)).length, 2, 'recorded in example.__drizzle_migrations')

    const [note] = await service.db.insert(tables.notes).values({ title: 'hello', body: 'from 0001' }).returning()
    t.ok(note?.id)
    const found = await service.db.query.notes.findFirst({ where: eq(tables.notes.title, 'hello') })
    t.equal(found?.body, 'from 0001', 'both migrations are in effect; relational queries work')
  })

  t.test(`${driver}: concurrent migrators apply each migration once`, async (t) => {
    const handle = await open(t)
    const service = createServiceDb(handle, { schema: 'example', migrationsFolder: exampleMigrations })
    const results = await Promise.all([1, 2, 3, 4].map(() => service.migrate()))
    t.equal(results.reduce((sum, r) => sum + r.applied, 0), 2)
    t.equal((await appliedHashes(service.db)).length, 2)
  })
}

t.test('postgres: migrators on separate pools (as replicas) apply each migration once', async (t) => {
  const { url } = await createTestDatabase(t)
  // distinct URLs, so each replica gets a pool of its own instead of the shared one
  const handles = await Promise.all([1, 2, 3].map((i) => openDatabase({ url: `${url}?application_name=replica${i}`, max: 2 })))
  t.teardown(() => Promise.all(handles.map((h) => h.close())))
  const results = await Promise.all(handles.map((handle) =>
    migrate(createServiceDb(handle, { schema: 'example' }).db, { schema: 'example', migrationsFolder: exampleMigrations })))
  t.same(results.map((r) => r.applied).sort(), [0, 0, 2])
  t.equal((await appliedHashes(createServiceDb(handles[0]!, { schema: 'example' }).db)).length, 2)
})

t.test('a migration is all or nothing', async (t) => {
  const { handle } = await createTestPglite(t)
  await handle.query('create schema example')
  await handle.query('create table example.counters (name text)') // 0000 will collide here
  const service = createServiceDb(handle, { schema: 'example', migrationsFolder: exampleMigrations })
  await t.rejects(service.migrate())
  const rows = await handle.query('select 1 from pg_tables where schemaname = $1 and tablename = $2', ['example', '__drizzle_migrations'])
  t.equal(rows.length, 0, 'nothing recorded, nothing half-applied')
})

t.test('rejects a schema name that is not a plain identifier', async (t) => {
  const { handle } = await createTestPglite(t)
  t.throws(() => createServiceDb(handle, { schema: 'Report; drop' }), /invalid schema name/)
})
