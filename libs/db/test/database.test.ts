import t from 'tap'
import { openDatabase, createServiceDb, queryRows } from '../src/index.js'
import { createTestDatabase, createTestPglite, createTestDataDir } from '../src/testing.js'
import { sql } from 'drizzle-orm'
import postgres from 'postgres'
import * as tables from './fixtures/example/schema.js'
import { exampleMigrations, schemaExists } from './helper.js'

t.test('postgres: ping, raw rows, closed handle fails ping', async (t) => {
  const { url } = await createTestDatabase(t)
  const handle = await openDatabase({ url })
  await handle.ping()
  t.same(await handle.query('select $1::int + 1 as n', [41]), [{ n: 42 }])
  t.same(await queryRows(createServiceDb(handle, { schema: 'x' }).db, sql`select 2 as n`), [{ n: 2 }])
  await handle.close()
  await handle.close() // idempotent
  await t.rejects(handle.ping())
})

t.test('pglite: ping, raw rows, closed handle fails ping', async (t) => {
  const { handle } = await createTestPglite(t)
  await handle.ping()
  t.same(await handle.query('select $1::int + 1 as n', [41]), [{ n: 42 }])
  t.same(await queryRows(createServiceDb(handle, { schema: 'x' }).db, sql`select 2 as n`), [{ n: 2 }])
  await handle.close()
  await t.rejects(handle.ping())
})

t.test('pglite from a dump: starts with what the dump holds, in memory', async (t) => {
  const { handle: source } = await createTestPglite(t)
  await source.query('create table kept (n int)')
  await source.query('insert into kept values (7)')
  if (source.kind !== 'pglite') throw new Error('expected PGlite')
  const dump = await source.client.dumpDataDir('none')
  const copy = await openDatabase({ pgliteDump: dump })
  t.teardown(() => copy.close())
  t.not(copy.client, source.client, 'a separate instance')
  t.same(await copy.query('select n from kept'), [{ n: 7 }])
  await copy.query('insert into kept values (8)')
  t.same(await source.query('select count(*)::int as c from kept'), [{ c: 1 }], 'the source is not touched')
})

t.test('pglite on disk: one instance per data dir, shared by leases, closed by the last', async (t) => {
  const dataDir = await createTestDataDir(t)
  const [a, b] = await Promise.all([openDatabase({ dataDir }), openDatabase({ dataDir })])
  t.equal(a.client, b.client, 'one PGlite instance')
  const c = a.acquire()
  await a.close()
  await b.ping()
  await c.ping()
  await b.close()
  await c.ping()
  await c.close()
  t.ok(c.kind === 'pglite' && c.client.closed, 'closed with the last lease')
  await t.rejects(c.ping())
})

t.test('pglite on disk: data survives a restart; migrations are not re-applied', async (t) => {
  const dataDir = await createTestDataDir(t)
  const first = await openDatabase({ dataDir })
  const one = createServiceDb(first, { schema: 'example', migrationsFolder: exampleMigrations, tables })
  t.same(await one.migrate(), { applied: 2 })
  await one.db.insert(tables.counters).values({ name: 'runs', value: 1 })
  await first.close()

  const second = await openDatabase({ dataDir })
  t.teardown(() => second.close())
  const two = createServiceDb(second, { schema: 'example', migrationsFolder: exampleMigrations, tables })
  t.same(await two.migrate(), { applied: 0 })
  t.same(await two.db.select().from(tables.counters), [{ name: 'runs', value: 1 }])
})

t.test('two services share one PGlite, each in its own schema', async (t) => {
  const { handle } = await createTestPglite(t)
  const example = createServiceDb(handle, { schema: 'example', migrationsFolder: exampleMigrations })
  await example.migrate()
  t.ok(await schemaExists(example.db, 'example'))
  t.notOk(await schemaExists(example.db, 'other'))
})

t.test('test databases are isolated and dropped on teardown', async (t) => {
  let dropped = ''
  await t.test('inner', async (t) => {
    const a = await createTestDatabase(t)
    const b = await createTestDatabase(t)
    t.not(a.name, b.name)
    t.match(a.name, /^t_[0-9a-f]{12}$/)
    const ha = await openDatabase({ url: a.url })
    const hb = await openDatabase({ url: b.url })
    t.teardown(() => Promise.all([ha.close(), hb.close()]))
    await createServiceDb(ha, { schema: 'example', migrationsFolder: exampleMigrations }).migrate()
    t.ok(await schemaExists(createServiceDb(ha, { schema: 'example' }).db, 'example'))
    t.notOk(await schemaExists(createServiceDb(hb, { schema: 'example' }).db, 'example'), 'b does not see a')
    dropped = a.name
    // a connection left open on purpose: teardown must terminate it to drop the database
    const straggler = postgres(a.url, { max: 1 })
    await straggler`select 1`
  })
  const admin = postgres(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres', { max: 1 })
  t.teardown(() => admin.end())
  const rows = await admin`select 1 from pg_database where datname = ${dropped}`
  t.equal(rows.length, 0, `${dropped} dropped`)
})

t.test('rejects a url that is not postgres', async (t) => {
  await t.rejects(openDatabase({ url: 'mysql://x' }), /postgres:\/\//)
})
