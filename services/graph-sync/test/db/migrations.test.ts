import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { createServiceDb, migrate, openDatabase } from '@m365/db'
import { createTestDatabase } from '@m365/db/testing'
import { migrationsFolder } from '../../src/app.js'

/** A copy of the migrations folder that ends with `lastTag`, as a database deployed before the next one has it. */
async function migrationsUpTo (t: Test, lastTag: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gs-migrations-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  await cp(migrationsFolder, dir, { recursive: true })
  const journalPath = join(dir, 'meta', '_journal.json')
  const journal = JSON.parse(await readFile(journalPath, 'utf8')) as { entries: Array<{ tag: string }> }
  const last = journal.entries.findIndex((e) => e.tag === lastTag)
  if (last < 0) throw new Error(`no migration ${lastTag}`)
  journal.entries = journal.entries.slice(0, last + 1)
  await writeFile(journalPath, JSON.stringify(journal))
  return dir
}

t.test('0003 moves the records computed before it into object_records', async (t) => {
  const database = await createTestDatabase(t)
  const handle = await openDatabase({ url: database.url, max: 2 })
  t.teardown(() => handle.close())
  const { db } = createServiceDb(handle, { schema: 'graph_sync' })
  await migrate(db, { schema: 'graph_sync', migrationsFolder: await migrationsUpTo(t, '0002_directory_objects_key_order') })

  const tenant = '6f0d5d1e-0000-4000-8000-000000000001'
  const snapshot = '6f0d5d1e-0000-4000-8000-00000000000a'
  const staging = '6f0d5d1e-0000-4000-8000-00000000000b'
  const id = (n: number) => `6f0d5d1e-0000-4000-8000-0000000001${String(n).padStart(2, '0')}`
  await handle.query(`
    insert into graph_sync.directory_objects (sync_id, kind, object_id, tenant_id, data, record, mfa_status, touched, publish_batch) values
      ($1, 'user', $3, $5, '{"id":"a"}', '{"displayName":"Ann"}', 'enabled', true, 1),
      ($1, 'deletedUser', $4, $5, '{"id":"b"}', '{"displayName":"Bob","deleted":true}', null, false, null),
      ($2, 'user', $3, $5, '{"id":"a"}', null, null, false, null)`, [snapshot, staging, id(1), id(2), tenant])

  const { applied } = await migrate(db, { schema: 'graph_sync', migrationsFolder })
  t.ok(applied >= 1, 'the later migrations ran')
  const records = await handle.query<{ sync_id: string, object_id: string, kind: string, record: unknown, publish_batch: number | null }>(
    'select sync_id::text, object_id::text, kind, record, publish_batch from graph_sync.object_records order by object_id')
  t.same(records, [
    { sync_id: snapshot, object_id: id(1), kind: 'user', record: { displayName: 'Ann' }, publish_batch: 1 },
    { sync_id: snapshot, object_id: id(2), kind: 'deletedUser', record: { displayName: 'Bob', deleted: true }, publish_batch: null }
  ], 'the computed records, with their batches; a staged row without one has none')
  const columns = await handle.query<{ column_name: string }>(`
    select column_name from information_schema.columns where table_schema = 'graph_sync' and table_name = 'directory_objects' order by ordinal_position`)
  t.same(columns.map((c) => c.column_name), ['sync_id', 'kind', 'object_id', 'tenant_id', 'data', 'per_user_state'], 'the objects keep their Graph data only')
  t.equal((await handle.query('select 1 from graph_sync.directory_objects')).length, 3, 'every object stays')
})
