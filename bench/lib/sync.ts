import { randomUUID } from 'node:crypto'
import type postgres from 'postgres'
import { createEvent, SyncRequested, TenantConnected } from '@m365/contracts'
import { uuidFromName } from '@m365/graph-sync'
import type { BenchEnvironment } from './environment.js'
import { now, waitFor } from './timing.js'

/** tenant.connected as tenant-auth publishes it: graph-sync queues the first (full) sync, report learns the tenant. */
export async function connectTenant (env: BenchEnvironment, tenantId: string, clientId: string = randomUUID()) {
  const event = createEvent(TenantConnected, { clientId, tenantId, displayName: `bench ${tenantId.slice(0, 8)}`, connectedAt: new Date().toISOString() })
  await env.bus.publish(TenantConnected, event)
  return { clientId, syncId: uuidFromName(`connected:${event.id}`) }
}

/** sync.requested as the gateway's "sync now" would queue it. */
export async function requestSync (env: BenchEnvironment, tenantId: string, clientId: string, mode: 'full' | 'delta' | 'auto') {
  const syncId = randomUUID()
  await env.bus.publish(SyncRequested, createEvent(SyncRequested, {
    syncId, tenantId, clientId, mode, reason: 'manual', requestedAt: new Date().toISOString()
  }, { id: syncId }))
  return syncId
}

/** Tables of a service that has not migrated yet do not exist: read that as "not yet". */
const notYet = (err: { code?: string }) => { if (err.code === '42P01' || err.code === '3F000') return []; throw err }

/** Polls (every 10 ms: the resolution of every sync time) until report's read model holds the sync (it applies a sync's batches in one transaction). */
export async function waitForReadModel (sql: postgres.Sql, tenantId: string, syncId: string, timeoutMs = 1_800_000): Promise<number> {
  await waitFor(`report's read model to hold sync ${syncId}`, async () => {
    const rows = await sql`select 1 from report.tenant_sync_state where tenant_id = ${tenantId} and sync_id = ${syncId}`.catch(notYet)
    if (rows.length > 0) return true
    const [failed] = await sql`select error from graph_sync.sync_runs where sync_id = ${syncId} and outcome = 'failed'`.catch(notYet)
    if (failed) throw new Error(`sync ${syncId} failed: ${String(failed.error)}`)
    return false
  }, { timeoutMs, intervalMs: 10 })
  return now()
}

/** Milestones of a finished sync from graph-sync's own records (ms after the first attempt started). */
export async function syncMilestones (sql: postgres.Sql, syncId: string) {
  const [row] = await sql<Array<{ started: number, committed: number, finished: number, mode: string, pages: number, counts: unknown }>>`
    select extract(epoch from a.started_at) * 1000 as started, extract(epoch from r.committed_at) * 1000 as committed,
      extract(epoch from r.finished_at) * 1000 as finished, r.mode, r.pages, r.counts
    from graph_sync.sync_runs r join graph_sync.sync_attempts a on a.sync_id = r.sync_id and a.attempt = 1
    where r.sync_id = ${syncId}`
  if (!row) throw new Error(`no run ${syncId}`)
  return {
    mode: row.mode,
    fetchAndStageMs: Number(row.committed) - Number(row.started),
    publishMs: Number(row.finished) - Number(row.committed),
    counts: row.counts
  }
}

/** Users of the tenant in report's read model (user accounts, not deleted ones or org contacts). */
export async function readModelUsers (sql: postgres.Sql, tenantId: string): Promise<number> {
  const [row] = await sql<Array<{ n: number }>>`
    select count(*)::int as n from report.o365_users where tenant_id = ${tenantId} and object_type = 'user' and not deleted`
  return row?.n ?? 0
}
