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

t.test('0005 takes each tenant\'s last full sync from its committed runs, so no tenant is due for one right after the deploy', async (t) => {
  const database = await createTestDatabase(t)
  const handle = await openDatabase({ url: database.url, max: 2 })
  t.teardown(() => handle.close())
  const { db } = createServiceDb(handle, { schema: 'graph_sync' })
  await migrate(db, { schema: 'graph_sync', migrationsFolder: await migrationsUpTo(t, '0004_sync_runs_per_user_mfa_read') })

  const client = '7a1e0c3d-0000-4000-8000-000000000000'
  const [synced, deltaOnly, fresh] = [1, 2, 3].map((n) => `7a1e0c3d-0000-4000-8000-00000000000${n}`)
  await handle.query(`
    insert into graph_sync.tenants (tenant_id, client_id, status, status_at) values
      ($1, $4, 'connected', now()), ($2, $4, 'connected', now()), ($3, $4, 'connected', now())`, [synced, deltaOnly, fresh, client])
  const run = (n: number) => `7a1e0c3d-0000-4000-8000-0000000001${String(n).padStart(2, '0')}`
  await handle.query(`
    insert into graph_sync.sync_runs (sync_id, tenant_id, client_id, reason, requested_mode, mode, committed_at) values
      ($1, $6, $8, 'connected', 'full', 'full', '2026-11-01T10:00:00Z'),
      ($2, $6, $8, 'manual', 'full', 'full', '2026-11-03T10:00:00Z'),
      ($3, $6, $8, 'schedule', 'auto', 'delta', '2026-11-04T10:00:00Z'),
      ($4, $6, $8, 'manual', 'full', 'full', null),
      ($5, $7, $8, 'schedule', 'auto', 'delta', '2026-11-04T10:00:00Z')`,
  [run(1), run(2), run(3), run(4), run(5), synced, deltaOnly, client])

  await migrate(db, { schema: 'graph_sync', migrationsFolder })
  const rows = await handle.query<{ tenant_id: string, last_full: string | null }>(`
    select tenant_id::text, to_char(last_full_sync_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI') as last_full from graph_sync.tenants order by tenant_id`)
  t.same(rows, [
    { tenant_id: synced, last_full: '2026-11-03 10:00' },
    { tenant_id: deltaOnly, last_full: null },
    { tenant_id: fresh, last_full: null }
  ], 'the latest committed full run; a run that never committed, or a delta, does not count')
})
