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
 * One page of a delta round on the sync's copy of the previous snapshot: an entry updates its row
 * with the properties it carries (a new user gets a row), a removal drops the user's row (a
 * soft-deleted user comes back from the deleted-users listing).
 */
export async function applyDelta (db: AnyDb, scope: SyncScope, page: readonly UserDelta[]): Promise<void> {
  const final = lastById(page)
  const upserts = final.flatMap((d) => d.removed === null ? [{ id: d.id, data: d.user }] : [])
  const removed = final.filter((d) => d.removed !== null).map((d) => d.id)
  if (upserts.length > 0) {
    await db.execute(sql`
      insert into ${OBJECTS} as o (sync_id, kind, object_id, tenant_id, data)
      select ${scope.syncId}::uuid, 'user', r.id, ${scope.tenantId}::uuid, r.data
      from jsonb_to_recordset(${json(upserts)}) as r(id uuid, data jsonb)
      on conflict (sync_id, kind, object_id) do update set data = o.data || excluded.data, per_user_state = null`)
  }
  if (removed.length > 0) {
    await db.execute(sql`
      delete from ${OBJECTS} where sync_id = ${scope.syncId}::uuid and kind = 'user'
        and object_id in (select jsonb_array_elements_text(${json(removed)})::uuid)`)
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
 */
export async function analyzeIfLarge (db: AnyDb, syncId: string): Promise<void> {
  const [row] = await queryRows<{ n: number }>(db, sql`
    select count(*)::int as n from (select 1 from ${OBJECTS} where sync_id = ${syncId}::uuid limit ${ANALYZE_FROM_ROWS}) s`)
  if ((row?.n ?? 0) >= ANALYZE_FROM_ROWS) await db.execute(sql`analyze ${OBJECTS}`)
}

/** Forgets everything a sync staged (before it starts over as a full sync). */
export async function clearSync (db: AnyDb, syncId: string): Promise<void> {
  for (const table of ['directory_objects', 'registrations', 'skus', 'sync_removals']) {
    await db.execute(sql`delete from ${sql.raw(`graph_sync.${table}`)} where sync_id = ${syncId}::uuid`)
  }
}

/**
 * Drops a tenant's rows of every sync but the ones named: the snapshot before the current one, and
 * what failed or interrupted syncs staged. Run by the lease holder, so no other sync of the tenant is writing.
 */
export async function clearTenantExcept (db: AnyDb, tenantId: string, keep: ReadonlyArray<string | null>): Promise<void> {
  const ids = keep.filter((k): k is string => k !== null)
  for (const table of ['directory_objects', 'registrations', 'skus', 'sync_removals']) {
    await db.execute(sql`
      delete from ${sql.raw(`graph_sync.${table}`)} where tenant_id = ${tenantId}::uuid
        and sync_id not in (select jsonb_array_elements_text(${json(ids)})::uuid)`)
  }
}
