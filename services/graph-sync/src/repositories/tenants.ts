import { and, eq, inArray, lte, sql } from 'drizzle-orm'
import { queryRows, type AnyDb } from '@m365/db'
import { syncAttempts, syncRuns, tenantLeases, tenants } from '../db/schema.js'
import { clearSync, clearTenantExcept } from '../sync/staging.js'

export type Tenant = typeof tenants.$inferSelect

export async function getTenant (db: AnyDb, tenantId: string): Promise<Tenant | undefined> {
  const [row] = await db.select().from(tenants).where(eq(tenants.tenantId, tenantId))
  return row
}

/**
 * tenant.connected: the tenant is (again) ours to sync, owned by `clientId`. An event older than the
 * status we hold changes nothing; returns whether it applied (then a first full sync is due).
 */
export async function connectTenant (db: AnyDb, t: { tenantId: string, clientId: string, displayName: string | null, at: Date, intervalMinutes: number }): Promise<boolean> {
  const applied = await db.insert(tenants).values({
    tenantId: t.tenantId,
    clientId: t.clientId,
    displayName: t.displayName,
    status: 'connected',
    statusAt: t.at,
    nextSyncAt: sql`now() + make_interval(mins => ${t.intervalMinutes})` as unknown as Date
  }).onConflictDoUpdate({
    target: tenants.tenantId,
    set: {
      clientId: t.clientId,
      displayName: sql`coalesce(excluded.display_name, ${tenants.displayName})`,
      status: 'connected',
      statusAt: t.at,
      nextSyncAt: sql`now() + make_interval(mins => coalesce(${tenants.syncIntervalMinutes}, ${t.intervalMinutes}))`,
      updatedAt: sql`now()`
    },
    setWhere: lte(tenants.statusAt, t.at)
  }).returning({ tenantId: tenants.tenantId })
  return applied.length > 0
}

/** tenant.disconnected / tenant.consent_revoked: stop scheduling; the snapshot stays until client.deleted. */
export async function setTenantStatus (db: AnyDb, tenantId: string, status: string, at: Date): Promise<boolean> {
  const rows = await db.update(tenants).set({ status, statusAt: at, updatedAt: sql`now()` })
    .where(and(eq(tenants.tenantId, tenantId), lte(tenants.statusAt, at)))
    .returning({ tenantId: tenants.tenantId })
  return rows.length > 0
}

/**
 * client.deleted: everything this service keeps about the client's tenants, and the client's runs of
 * tenants that moved to another client since (those keep their snapshot). Returns the purged tenants.
 */
export async function purgeClient (db: AnyDb, clientId: string): Promise<string[]> {
  return await db.transaction(async (tx) => {
    const gone = await tx.delete(tenants).where(eq(tenants.clientId, clientId)).returning({ tenantId: tenants.tenantId })
    const runs = await tx.delete(syncRuns).where(eq(syncRuns.clientId, clientId)).returning({ syncId: syncRuns.syncId, tenantId: syncRuns.tenantId })
    const ids = gone.map((r) => r.tenantId)
    for (const tenantId of ids) await purgeTenant(tx, tenantId)
    for (const run of runs.filter((r) => !ids.includes(r.tenantId))) await purgeRun(tx, run)
    return ids
  })
}

async function purgeTenant (tx: AnyDb, tenantId: string): Promise<void> {
  // every sync's staged rows and records (keeping none), in the order staging drops them
  await clearTenantExcept(tx, tenantId, [])
  for (const table of [syncAttempts, tenantLeases]) {
    await tx.delete(table).where(eq(table.tenantId, tenantId))
  }
}

/**
 * A run of a tenant that another client owns now: its attempts, its lease if it still holds one, and
 * its staged rows unless the tenant's snapshot is still this run's (the new owner's first sync has
 * not committed yet).
 */
async function purgeRun (tx: AnyDb, run: { syncId: string, tenantId: string }): Promise<void> {
  for (const table of [syncAttempts, tenantLeases]) {
    await tx.delete(table).where(eq(table.syncId, run.syncId))
  }
  const tenant = await getTenant(tx, run.tenantId)
  if (tenant?.currentSyncId === run.syncId || tenant?.snapshotId === run.syncId) return
  await clearSync(tx, run.syncId)
}

/**
 * The scheduler's claim: tenants due for a sync, moved to their next slot in the same statement.
 * FOR UPDATE SKIP LOCKED lets replicas tick at once without two of them claiming one tenant.
 */
export async function claimDueTenants (db: AnyDb, defaultIntervalMinutes: number, limit = 100) {
  return await queryRows<{ tenantId: string, clientId: string, intervalMinutes: number }>(db, sql`
    update graph_sync.tenants t
    set next_sync_at = now() + make_interval(mins => coalesce(t.sync_interval_minutes, ${defaultIntervalMinutes})), updated_at = now()
    from (select tenant_id from graph_sync.tenants where status = 'connected' and next_sync_at <= now()
          order by next_sync_at limit ${limit} for update skip locked) d
    where t.tenant_id = d.tenant_id
    returning t.tenant_id::text as "tenantId", t.client_id::text as "clientId",
      coalesce(t.sync_interval_minutes, ${defaultIntervalMinutes})::int as "intervalMinutes"`)
}

/** Claimed tenants whose job could not be enqueued: due again, so the next tick retries them. */
export async function releaseClaims (db: AnyDb, tenantIds: string[]): Promise<void> {
  if (tenantIds.length === 0) return
  await db.update(tenants).set({ nextSyncAt: sql`now()`, updatedAt: sql`now()` }).where(inArray(tenants.tenantId, tenantIds))
}
