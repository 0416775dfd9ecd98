import { sql, type SQL } from 'drizzle-orm'
import { queryRows, type AnyDb } from '@m365/db'
import type { Sku } from '@m365/contracts'
import type { DeletedUser, GraphUser, OrgContact, RegistrationDetail, UserDelta } from '@m365/graph'

/** The sync a staging write belongs to. */
export interface SyncScope { syncId: string, tenantId: string }

export type ObjectKind = 'user' | 'deletedUser' | 'orgContact'

const OBJECTS = sql.raw('graph_sync.directory_objects')
const json = (value: unknown): SQL => sql`${JSON.stringify(value)}::jsonb`

/** Last entry per id wins: one multi-row statement may not touch a row twice. */
function lastById<T extends { id: string }> (items: readonly T[]): T[] {
  return [...new Map(items.filter((i) => i.id).map((i) => [i.id.toLowerCase(), i])).values()]
}

/** One page of users, deleted users or contacts, as one multi-row insert (a repeat replaces). */
export async function insertObjects (db: AnyDb, scope: SyncScope, kind: ObjectKind, page: ReadonlyArray<GraphUser | DeletedUser | OrgContact>): Promise<void> {
  const rows = lastById(page).map((o) => ({ id: o.id, data: o }))
  if (rows.length === 0) return
  await db.execute(sql`
    insert into ${OBJECTS} (sync_id, kind, object_id, tenant_id, data)
    select ${scope.syncId}::uuid, ${kind}, r.id, ${scope.tenantId}::uuid, r.data
    from jsonb_to_recordset(${json(rows)}) as r(id uuid, data jsonb)
    on conflict (sync_id, kind, object_id) do update set data = excluded.data`)
}

/**
 * One page of a delta round, staged as changes to the snapshot (the snapshot's rows are not copied):
 * an entry becomes a staged user row holding what we knew of the user (staged earlier in the round,
 * else the snapshot's row) with the properties it carries on top, and its per-user MFA state to be
 * read again; a removal drops the staged row and is noted in delta_removed_users (a soft-deleted
 * user comes back from the deleted-users listing). Later entries of the round win over earlier ones.
 */
export async function applyDelta (db: AnyDb, scope: SyncScope, snapshotId: string, page: readonly UserDelta[]): Promise<void> {
  const final = lastById(page)
  const upserts = final.flatMap((d) => d.removed === null ? [{ id: d.id, data: d.user }] : [])
  const removed = final.filter((d) => d.removed !== null).map((d) => d.id)
  if (upserts.length > 0) {
    await db.execute(sql`
      insert into ${OBJECTS} as o (sync_id, kind, object_id, tenant_id, data)
      select ${scope.syncId}::uuid, 'user', r.id, ${scope.tenantId}::uuid, coalesce(
        (select s.data from ${OBJECTS} s where s.sync_id = ${scope.syncId}::uuid and s.kind = 'user' and s.object_id = r.id),
        (select p.data from ${OBJECTS} p where p.sync_id = ${snapshotId}::uuid and p.kind = 'user' and p.object_id = r.id),
        '{}'::jsonb) || r.data
      from jsonb_to_recordset(${json(upserts)}) as r(id uuid, data jsonb)
      on conflict (sync_id, kind, object_id) do update set data = excluded.data, per_user_state = null`)
    await db.execute(sql`
      delete from graph_sync.delta_removed_users where sync_id = ${scope.syncId}::uuid
        and object_id in (select (jsonb_array_elements(${json(upserts)})->>'id')::uuid)`)
  }
  if (removed.length > 0) {
    await db.execute(sql`
      delete from ${OBJECTS} where sync_id = ${scope.syncId}::uuid and kind = 'user'
        and object_id in (select jsonb_array_elements_text(${json(removed)})::uuid)`)
    await db.execute(sql`
      insert into graph_sync.delta_removed_users (sync_id, object_id, tenant_id)
      select ${scope.syncId}::uuid, r.id::uuid, ${scope.tenantId}::uuid from jsonb_array_elements_text(${json(removed)}) as r(id)
      on conflict do nothing`)
  }
}

/** Starts a sync's rows from a previous snapshot (INSERT … SELECT: the rows never pass through Node). */
export async function copyObjects (db: AnyDb, scope: SyncScope, fromSyncId: string, kind: ObjectKind): Promise<void> {
  await db.execute(sql`
    insert into ${OBJECTS} (sync_id, kind, object_id, tenant_id, data, per_user_state)
    select ${scope.syncId}::uuid, kind, object_id, tenant_id, data, per_user_state
    from ${OBJECTS} where sync_id = ${fromSyncId}::uuid and kind = ${kind}
    on conflict do nothing`)
}

export async function insertRegistrations (db: AnyDb, scope: SyncScope, page: readonly RegistrationDetail[]): Promise<void> {
  const rows = lastById(page).map((r) => ({ id: r.id, registered: r.isMfaRegistered, admin: r.isAdmin, methods: r.methodsRegistered }))
  if (rows.length === 0) return
  await db.execute(sql`
    insert into graph_sync.registrations (sync_id, user_id, tenant_id, is_mfa_registered, is_admin, methods)
    select ${scope.syncId}::uuid, r.id, ${scope.tenantId}::uuid, r.registered, r.admin, r.methods
    from jsonb_to_recordset(${json(rows)}) as r(id uuid, registered boolean, admin boolean, methods jsonb)
    on conflict (sync_id, user_id) do update set is_mfa_registered = excluded.is_mfa_registered,
      is_admin = excluded.is_admin, methods = excluded.methods`)
}

export async function insertSkus (db: AnyDb, scope: SyncScope, list: readonly Sku[]): Promise<void> {
  const rows = [...new Map(list.filter((s) => s.skuId).map((s) => [s.skuId.toLowerCase(), { id: s.skuId, data: s }])).values()]
  if (rows.length === 0) return
  await db.execute(sql`
    insert into graph_sync.skus (sync_id, sku_id, tenant_id, data)
    select ${scope.syncId}::uuid, r.id, ${scope.tenantId}::uuid, r.data
    from jsonb_to_recordset(${json(rows)}) as r(id uuid, data jsonb)
    on conflict (sync_id, sku_id) do update set data = excluded.data`)
}

export async function copySkus (db: AnyDb, scope: SyncScope, fromSyncId: string): Promise<void> {
  await db.execute(sql`
    insert into graph_sync.skus (sync_id, sku_id, tenant_id, data)
    select ${scope.syncId}::uuid, sku_id, tenant_id, data from graph_sync.skus where sync_id = ${fromSyncId}::uuid
    on conflict do nothing`)
}

const ANALYZE_FROM_ROWS = 5_000

/**
 * Fresh planner statistics once a sync has staged many rows. Until the table is analysed Postgres
 * expects a few hundred rows for a new sync id and plans each keyset page over the sync as a bitmap
 * scan of all the rows after it plus a sort, so walking a big tenant grew with its square (20,000
 * users: ~77 ms a page instead of ~1 ms). ANALYZE samples a bounded number of rows; small syncs skip it.
 * Returns whether it analysed.
 */
export async function analyzeIfLarge (db: AnyDb, syncId: string): Promise<boolean> {
  const [row] = await queryRows<{ n: number }>(db, sql`
    select count(*)::int as n from (select 1 from ${OBJECTS} where sync_id = ${syncId}::uuid limit ${ANALYZE_FROM_ROWS}) s`)
  if ((row?.n ?? 0) < ANALYZE_FROM_ROWS) return false
  await db.execute(sql`analyze ${OBJECTS}`)
  return true
}

/** A sync's rows, in the order they are dropped: a record before its object (see object_records). */
const STAGING_TABLES = ['object_records', 'directory_objects', 'registrations', 'skus', 'sync_removals', 'delta_removed_users']

/** Forgets everything a sync staged (before it starts over as a full sync). */
export async function clearSync (db: AnyDb, syncId: string): Promise<void> {
  for (const table of STAGING_TABLES) {
    await db.execute(sql`delete from ${sql.raw(`graph_sync.${table}`)} where sync_id = ${syncId}::uuid`)
  }
}

/**
 * Drops a tenant's rows of every sync but the ones named: a replaced snapshot, what a delta staged,
 * and what failed or interrupted syncs staged. Run by the lease holder, so no other sync of the
 * tenant is writing. In directory_objects the tenant's few sync ids are found by skipping through
 * the (tenant_id, sync_id) index, so dropping a small delta's rows never reads the snapshot's rows;
 * their records go with them.
 */
export async function clearTenantExcept (db: AnyDb, tenantId: string, keep: ReadonlyArray<string | null>): Promise<void> {
  const ids = keep.filter((k): k is string => k !== null)
  const stale = await queryRows<{ id: string }>(db, sql`
    with recursive syncs(id) as (
      (select sync_id from ${OBJECTS} where tenant_id = ${tenantId}::uuid order by sync_id limit 1)
      union all
      select (select o.sync_id from ${OBJECTS} o where o.tenant_id = ${tenantId}::uuid and o.sync_id > s.id order by o.sync_id limit 1)
      from syncs s where s.id is not null
    )
    select id::text as id from syncs where id is not null and id not in (select jsonb_array_elements_text(${json(ids)})::uuid)`)
  for (const { id } of stale) {
    await db.execute(sql`delete from graph_sync.object_records where sync_id = ${id}::uuid`)
    await db.execute(sql`delete from ${OBJECTS} where sync_id = ${id}::uuid and tenant_id = ${tenantId}::uuid`)
  }
  for (const table of STAGING_TABLES.filter((t) => t !== 'object_records' && t !== 'directory_objects')) {
    await db.execute(sql`
      delete from ${sql.raw(`graph_sync.${table}`)} where tenant_id = ${tenantId}::uuid
        and sync_id not in (select jsonb_array_elements_text(${json(ids)})::uuid)`)
  }
}
