import { isDeepStrictEqual } from 'node:util'
import { sql } from 'drizzle-orm'
import { MAX_BATCH, type SyncCounts } from '@m365/contracts'
import { queryRows, type AnyDb } from '@m365/db'
import type { PerUserOutcome } from './per-user-mfa.js'
import type { RecordInputs } from './records.js'
import type { SyncScope } from './staging.js'

/**
 * A delta sync stages only what changed: the users its round carried (merged into what the snapshot
 * held), the users it removed (delta_removed_users), and the small full listings (deleted users, org
 * contacts, SKUs, the registration report). When every record of the snapshot was computed from the
 * same inputs as this sync's, only the staged rows are turned into records, and the commit applies
 * them to the snapshot's rows in its transaction: the work follows the changes, not the tenant.
 * Otherwise (SKU names, MFA policies or permissions changed) the delta rebuilds: the snapshot's
 * other users are staged too, every record is recomputed, and the sync becomes the new snapshot.
 */

const OBJECTS = sql.raw('graph_sync.directory_objects')
const RECORDS = sql.raw('graph_sync.object_records')
const REMOVED = sql.raw('graph_sync.delta_removed_users')

/** Bump when the way records are computed changes (libs/graph, records.ts): the next delta then recomputes every record. */
const RECORD_VERSION = 1

/** Everything a record depends on beyond its own rows, as stored with the sync (sync_runs.record_inputs). */
export function recordInputsOf (inputs: RecordInputs, parts: ReadonlyMap<string, string>): unknown {
  return JSON.parse(JSON.stringify({
    version: RECORD_VERSION,
    registration: inputs.registration,
    perUser: inputs.perUser,
    securityDefaults: inputs.securityDefaults,
    conditionalAccess: inputs.conditionalAccess,
    skuPartNumbers: [...parts].sort(([a], [b]) => a.localeCompare(b))
  })) as unknown
}

/** The per-user outcome stored in a sync's record inputs; null when it has none on record. */
export function perUserInputOf (recordInputs: unknown): PerUserOutcome | null {
  return (recordInputs as { perUser?: PerUserOutcome } | null)?.perUser ?? null
}

export interface SnapshotBase {
  /** The rows of the snapshot (tenants.snapshot_id). */
  snapshotId: string
  /** The record inputs and counts of the last committed sync, if it recorded them. */
  recordInputs: unknown
  counts: SyncCounts | null
}

/** Whether the snapshot's records can be kept: same inputs as now, and counts to carry forward. */
export function canApplyInPlace (base: SnapshotBase, inputs: unknown): base is SnapshotBase & { counts: SyncCounts } {
  return base.counts !== null && base.recordInputs !== null && isDeepStrictEqual(base.recordInputs, inputs)
}

/** Rebuild: the snapshot's users the round did not touch join the staged rows (INSERT … SELECT, never through Node). */
export async function stageUntouchedUsers (db: AnyDb, scope: SyncScope, snapshotId: string): Promise<void> {
  await db.execute(sql`
    insert into ${OBJECTS} (sync_id, kind, object_id, tenant_id, data, per_user_state)
    select ${scope.syncId}::uuid, p.kind, p.object_id, p.tenant_id, p.data, p.per_user_state
    from ${OBJECTS} p where p.sync_id = ${snapshotId}::uuid and p.kind = 'user'
      and not exists (select 1 from ${REMOVED} r where r.sync_id = ${scope.syncId}::uuid and r.object_id = p.object_id)
    on conflict do nothing`)
}

/**
 * In place: the snapshot's users whose registration row changed (registration changes never show in
 * users/delta) are staged as they are, so their records are computed again. Reads both reports
 * (the registration report is walked in full on every sync), writes only the changed users.
 */
export async function stageRegistrationChanges (db: AnyDb, scope: SyncScope, snapshotId: string): Promise<void> {
  await db.execute(sql`
    insert into ${OBJECTS} (sync_id, kind, object_id, tenant_id, data, per_user_state)
    select ${scope.syncId}::uuid, p.kind, p.object_id, p.tenant_id, p.data, p.per_user_state
    from ${OBJECTS} p
    where p.sync_id = ${snapshotId}::uuid and p.kind = 'user' and p.object_id in (${changedRegistrations(scope.syncId, snapshotId)})
      and not exists (select 1 from ${REMOVED} r where r.sync_id = ${scope.syncId}::uuid and r.object_id = p.object_id)
    on conflict do nothing`)
}

function changedRegistrations (syncId: string, snapshotId: string) {
  return sql`
    select coalesce(n.user_id, o.user_id)
    from (select * from graph_sync.registrations where sync_id = ${syncId}::uuid) n
    full join (select * from graph_sync.registrations where sync_id = ${snapshotId}::uuid) o on o.user_id = n.user_id
    where n.user_id is null or o.user_id is null or n.is_mfa_registered <> o.is_mfa_registered
      or n.is_admin is distinct from o.is_admin or n.methods <> o.methods`
}

/**
 * A user restored while we listed can be in both listings: the active account wins. Active here means
 * staged as a user, or a user of the snapshot the round did not remove (a delta sync stages no others).
 */
export async function dropDeletedTwins (db: AnyDb, scope: SyncScope, snapshotId: string | null): Promise<void> {
  await db.execute(sql`
    delete from ${OBJECTS} d where d.sync_id = ${scope.syncId}::uuid and d.kind = 'deletedUser'
      and (exists (select 1 from ${OBJECTS} u where u.sync_id = d.sync_id and u.kind = 'user' and u.object_id = d.object_id)
        or exists (select 1 from ${OBJECTS} u where u.sync_id = ${snapshotId}::uuid and u.kind = 'user' and u.object_id = d.object_id
          and not exists (select 1 from ${REMOVED} r where r.sync_id = d.sync_id and r.object_id = d.object_id)))`)
}

/**
 * In place: the snapshot's objects the applied sync no longer has, numbered into o365.users.removed
 * batches. Candidates are the users the round removed and the snapshot's deleted users and org
 * contacts (listed in full every sync); one is gone unless staged again (of any kind) or still an
 * untouched user of the snapshot.
 */
export async function planRemovalsInPlace (db: AnyDb, scope: SyncScope, snapshotId: string): Promise<number> {
  const { syncId, tenantId } = scope
  await db.execute(sql`delete from graph_sync.sync_removals where sync_id = ${syncId}::uuid`)
  await db.execute(sql`
    insert into graph_sync.sync_removals (sync_id, object_id, tenant_id, batch)
    select ${syncId}::uuid, gone.object_id, ${tenantId}::uuid, (row_number() over (order by gone.object_id) - 1) / ${MAX_BATCH} + 1
    from (
      select c.object_id from (
        select p.object_id from ${OBJECTS} p where p.sync_id = ${snapshotId}::uuid and p.kind in ('deletedUser', 'orgContact')
        union
        select r.object_id from ${REMOVED} r where r.sync_id = ${syncId}::uuid
          and exists (select 1 from ${OBJECTS} p where p.sync_id = ${snapshotId}::uuid and p.object_id = r.object_id)
      ) c
      where not exists (select 1 from ${OBJECTS} n where n.sync_id = ${syncId}::uuid and n.object_id = c.object_id)
        and not exists (select 1 from ${OBJECTS} u where u.sync_id = ${snapshotId}::uuid and u.kind = 'user' and u.object_id = c.object_id
          and not exists (select 1 from ${REMOVED} r where r.sync_id = ${syncId}::uuid and r.object_id = c.object_id))
    ) gone`)
  const [row] = await queryRows<{ removed: number }>(db, sql`
    select coalesce(max(batch), 0)::int as removed from graph_sync.sync_removals where sync_id = ${syncId}::uuid`)
  return row?.removed ?? 0
}

/**
 * In place: the snapshot's counts once the sync is applied. User counts carry forward (minus the
 * snapshot's users that are staged again or removed, plus the staged users); deleted users, org
 * contacts and SKUs are listed in full, so their counts are the staged ones.
 */
export async function countInPlace (db: AnyDb, scope: SyncScope, snapshotId: string, before: SyncCounts): Promise<SyncCounts> {
  const { syncId } = scope
  const [row] = await queryRows<SyncCounts>(db, sql`
    with changed as (
      select 1 as sign, record from ${RECORDS} where sync_id = ${syncId}::uuid and kind = 'user'
      union all
      select -1, p.record from ${RECORDS} p where p.sync_id = ${snapshotId}::uuid and p.kind = 'user' and p.object_id in (
        select object_id from ${OBJECTS} where sync_id = ${syncId}::uuid and kind = 'user'
        union select object_id from ${REMOVED} where sync_id = ${syncId}::uuid)
    )
    select coalesce(sum(sign), 0)::int as users,
           coalesce(sum(sign) filter (where record->>'userType' = 'Member'), 0)::int as members,
           coalesce(sum(sign) filter (where record->>'userType' = 'Guest'), 0)::int as guests,
           coalesce(sum(sign) filter (where record->>'accountEnabled' = 'false'), 0)::int as disabled,
           (select count(*) from ${OBJECTS} where sync_id = ${syncId}::uuid and kind = 'deletedUser')::int as deleted,
           (select count(*) from ${OBJECTS} where sync_id = ${syncId}::uuid and kind = 'orgContact')::int as "orgContacts",
           (select count(*) from graph_sync.skus where sync_id = ${syncId}::uuid)::int as skus
    from changed`)
  if (!row) throw new Error(`could not count sync ${syncId}`)
  return {
    users: before.users + row.users,
    members: before.members + row.members,
    guests: before.guests + row.guests,
    disabled: before.disabled + row.disabled,
    deleted: row.deleted,
    orgContacts: row.orgContacts,
    skus: row.skus
  }
}

/**
 * In place, inside the commit's transaction: the snapshot's rows take the sync's changes. Users the
 * round removed go; deleted users and org contacts the listings no longer have go; every staged row
 * and record that differs replaces (or joins) its snapshot row; the registration rows and SKUs follow
 * the sync's. A record goes before its object (see object_records). If the transaction does not
 * commit, none of it happened.
 */
export async function applyInPlace (tx: AnyDb, scope: SyncScope, snapshotId: string, opts: { registrations: boolean }): Promise<void> {
  const { syncId } = scope
  // a record goes before its object (see object_records); the objects say which ones go
  const removedUsers = sql`select r.object_id from ${REMOVED} r where r.sync_id = ${syncId}::uuid`
  // NOT IN (a hashed subplan), not NOT EXISTS: the delta's few thousand rows are not analysed, and planned
  // as one row the anti-join re-read all of them for every row of the snapshot (2,000 x 2,000: 0.3 s).
  const goneOthers = sql`
    select p.object_id from ${OBJECTS} p where p.sync_id = ${snapshotId}::uuid and p.kind in ('deletedUser', 'orgContact')
      and (p.kind, p.object_id) not in (select n.kind, n.object_id from ${OBJECTS} n where n.sync_id = ${syncId}::uuid and n.kind <> 'user')`
  for (const table of [RECORDS, OBJECTS]) {
    await tx.execute(sql`delete from ${table} p where p.sync_id = ${snapshotId}::uuid and p.kind = 'user' and p.object_id in (${removedUsers})`)
    await tx.execute(sql`delete from ${table} p where p.sync_id = ${snapshotId}::uuid and p.kind <> 'user' and p.object_id in (${goneOthers})`)
  }
  await tx.execute(sql`
    insert into ${OBJECTS} as o (sync_id, kind, object_id, tenant_id, data, per_user_state)
    select ${snapshotId}::uuid, n.kind, n.object_id, n.tenant_id, n.data, n.per_user_state
    from ${OBJECTS} n where n.sync_id = ${syncId}::uuid
      and not exists (select 1 from ${OBJECTS} p where p.sync_id = ${snapshotId}::uuid and p.kind = n.kind and p.object_id = n.object_id
        and p.data = n.data and p.per_user_state is not distinct from n.per_user_state)
    on conflict (sync_id, kind, object_id) do update set data = excluded.data, per_user_state = excluded.per_user_state`)
  await tx.execute(sql`
    insert into ${RECORDS} (sync_id, object_id, kind, record)
    select ${snapshotId}::uuid, n.object_id, n.kind, n.record
    from ${RECORDS} n where n.sync_id = ${syncId}::uuid and n.publish_batch is not null
    on conflict (sync_id, object_id) do update set kind = excluded.kind, record = excluded.record, publish_batch = null`)
  if (opts.registrations) {
    await tx.execute(sql`
      delete from graph_sync.registrations o where o.sync_id = ${snapshotId}::uuid and not exists (
        select 1 from graph_sync.registrations n where n.sync_id = ${syncId}::uuid and n.user_id = o.user_id
          and n.is_mfa_registered = o.is_mfa_registered and n.is_admin is not distinct from o.is_admin and n.methods = o.methods)`)
    await tx.execute(sql`
      insert into graph_sync.registrations (sync_id, user_id, tenant_id, is_mfa_registered, is_admin, methods)
      select ${snapshotId}::uuid, n.user_id, n.tenant_id, n.is_mfa_registered, n.is_admin, n.methods
      from graph_sync.registrations n where n.sync_id = ${syncId}::uuid
      on conflict (sync_id, user_id) do nothing`)
  }
  await tx.execute(sql`delete from graph_sync.skus where sync_id = ${snapshotId}::uuid`)
  await tx.execute(sql`
    insert into graph_sync.skus (sync_id, sku_id, tenant_id, data)
    select ${snapshotId}::uuid, sku_id, tenant_id, data from graph_sync.skus where sync_id = ${syncId}::uuid`)
}
