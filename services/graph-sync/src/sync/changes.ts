import { sql } from 'drizzle-orm'
import { MAX_BATCH, type SyncCounts } from '@m365/contracts'
import { queryRows, type AnyDb } from '@m365/db'
import type { SyncScope } from './staging.js'

const OBJECTS = sql.raw('graph_sync.directory_objects')

export interface Batches { upserted: number, removed: number }

/**
 * Decides what the sync's events carry, in SQL over the staged rows: a full sync upserts every
 * record, a delta sync the records that are new or differ from the previous snapshot's; records of
 * the previous snapshot missing now are removed. Both are numbered into batches of MAX_BATCH in id
 * order, so a republish after a crash builds the very same batches.
 */
export async function planEvents (db: AnyDb, scope: SyncScope, mode: 'full' | 'delta', previousSyncId: string | null): Promise<Batches> {
  const syncId = scope.syncId
  if (mode === 'full' || !previousSyncId) {
    await db.execute(sql`update ${OBJECTS} set touched = true where sync_id = ${syncId}::uuid`)
  } else {
    await db.execute(sql`
      update ${OBJECTS} n set touched = not exists (
        select 1 from ${OBJECTS} p where p.sync_id = ${previousSyncId}::uuid and p.object_id = n.object_id and p.record = n.record)
      where n.sync_id = ${syncId}::uuid`)
  }
  await db.execute(sql`
    update ${OBJECTS} o set publish_batch = b.batch
    from (select kind, object_id, (row_number() over (order by object_id, kind) - 1) / ${MAX_BATCH} + 1 as batch
          from ${OBJECTS} where sync_id = ${syncId}::uuid and touched) b
    where o.sync_id = ${syncId}::uuid and o.kind = b.kind and o.object_id = b.object_id`)
  await db.execute(sql`delete from graph_sync.sync_removals where sync_id = ${syncId}::uuid`)
  if (previousSyncId) {
    await db.execute(sql`
      insert into graph_sync.sync_removals (sync_id, object_id, tenant_id, batch)
      select ${syncId}::uuid, gone.object_id, ${scope.tenantId}::uuid, (row_number() over (order by gone.object_id) - 1) / ${MAX_BATCH} + 1
      from (select distinct p.object_id from ${OBJECTS} p where p.sync_id = ${previousSyncId}::uuid
            and not exists (select 1 from ${OBJECTS} n where n.sync_id = ${syncId}::uuid and n.object_id = p.object_id)) gone`)
  }
  const [row] = await queryRows<{ upserted: number, removed: number }>(db, sql`
    select (select coalesce(max(publish_batch), 0) from ${OBJECTS} where sync_id = ${syncId}::uuid)::int as upserted,
           (select coalesce(max(batch), 0) from graph_sync.sync_removals where sync_id = ${syncId}::uuid)::int as removed`)
  return { upserted: row?.upserted ?? 0, removed: row?.removed ?? 0 }
}

/** What the snapshot holds, for o365.sync.completed and the run's history. */
export async function countSnapshot (db: AnyDb, syncId: string): Promise<SyncCounts> {
  const [row] = await queryRows<SyncCounts>(db, sql`
    select count(*) filter (where kind = 'user')::int as users,
           count(*) filter (where kind = 'user' and record->>'userType' = 'Member')::int as members,
           count(*) filter (where kind = 'user' and record->>'userType' = 'Guest')::int as guests,
           count(*) filter (where kind = 'user' and record->>'accountEnabled' = 'false')::int as disabled,
           count(*) filter (where kind = 'deletedUser')::int as deleted,
           count(*) filter (where kind = 'orgContact')::int as "orgContacts",
           (select count(*) from graph_sync.skus where sync_id = ${syncId}::uuid)::int as skus
    from ${OBJECTS} where sync_id = ${syncId}::uuid`)
  return row ?? { users: 0, members: 0, guests: 0, disabled: 0, deleted: 0, orgContacts: 0, skus: 0 }
}
