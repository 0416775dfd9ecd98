import { sql } from 'drizzle-orm'
import { MAX_BATCH, type SyncCounts } from '@m365/contracts'
import { queryRows, type AnyDb } from '@m365/db'
import type { SyncScope } from './staging.js'

const OBJECTS = sql.raw('graph_sync.directory_objects')
const RECORDS = sql.raw('graph_sync.object_records')

export interface Batches { upserted: number, removed: number }

/**
 * Objects of the snapshot (rows of `snapshotId`) that this sync, staged in full, no longer has
 * (o365.users.removed), numbered into batches of MAX_BATCH in id order, in SQL. Returns the number of batches.
 */
export async function planRemovals (db: AnyDb, scope: SyncScope, snapshotId: string | null): Promise<number> {
  const syncId = scope.syncId
  await db.execute(sql`delete from graph_sync.sync_removals where sync_id = ${syncId}::uuid`)
  if (!snapshotId) return 0
  await db.execute(sql`
    insert into graph_sync.sync_removals (sync_id, object_id, tenant_id, batch)
    select ${syncId}::uuid, gone.object_id, ${scope.tenantId}::uuid, (row_number() over (order by gone.object_id) - 1) / ${MAX_BATCH} + 1
    from (select distinct p.object_id from ${OBJECTS} p where p.sync_id = ${snapshotId}::uuid
          and not exists (select 1 from ${OBJECTS} n where n.sync_id = ${syncId}::uuid and n.object_id = p.object_id)) gone`)
  const [row] = await queryRows<{ removed: number }>(db, sql`
    select coalesce(max(batch), 0)::int as removed from graph_sync.sync_removals where sync_id = ${syncId}::uuid`)
  return row?.removed ?? 0
}

/** What the snapshot holds (a record per object), for o365.sync.completed and the run's history. */
export async function countSnapshot (db: AnyDb, syncId: string): Promise<SyncCounts> {
  const [row] = await queryRows<SyncCounts>(db, sql`
    select count(*) filter (where kind = 'user')::int as users,
           count(*) filter (where kind = 'user' and record->>'userType' = 'Member')::int as members,
           count(*) filter (where kind = 'user' and record->>'userType' = 'Guest')::int as guests,
           count(*) filter (where kind = 'user' and record->>'accountEnabled' = 'false')::int as disabled,
           count(*) filter (where kind = 'deletedUser')::int as deleted,
           count(*) filter (where kind = 'orgContact')::int as "orgContacts",
           (select count(*) from graph_sync.skus where sync_id = ${syncId}::uuid)::int as skus
    from ${RECORDS} where sync_id = ${syncId}::uuid`)
  return row ?? { users: 0, members: 0, guests: 0, disabled: 0, deleted: 0, orgContacts: 0, skus: 0 }
}
