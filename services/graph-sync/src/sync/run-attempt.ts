import type { EventBus } from '@m365/bus'
import { createEvent, SyncStarted } from '@m365/contracts'
import type { AnyDb } from '@m365/db'
import { isDeltaExpired, mfaStatus } from '@m365/graph'
import type { GraphSyncConfig } from '../config.js'
import type { GraphAccess } from '../graph/graph-access.js'
import { syncEventId } from '../lib/ids.js'
import { updateRun, type SyncRun } from '../repositories/sync-runs.js'
import type { Tenant } from '../repositories/tenants.js'
import { countSnapshot, planRemovals } from './changes.js'
import { commitSnapshot } from './commit.js'
import { fetchAll, type FetchResult, type Warning } from './fetch.js'
import type { TenantLease } from './lease.js'
import { ProgressTracker } from './progress.js'
import { computeRecords } from './records.js'
import { analyzeIfLarge, clearSync, clearTenantExcept, type SyncScope } from './staging.js'

export interface AttemptDeps {
  db: AnyDb
  bus: EventBus
  graph: GraphAccess
  config: Pick<GraphSyncConfig, 'GRAPH_PAGE_SIZE' | 'GRAPH_PER_USER_CONCURRENCY' | 'SYNC_PROGRESS_EVERY_PAGES'>
  log: { info: (obj: Record<string, unknown>, msg: string) => void, warn: (obj: Record<string, unknown>, msg: string) => void }
}

/** 'full' when asked, or when there is no snapshot with a delta link to continue from. */
export function chooseMode (requested: string, tenant: Pick<Tenant, 'currentSyncId' | 'deltaLink'>): 'full' | 'delta' {
  return requested !== 'full' && tenant.currentSyncId && tenant.deltaLink ? 'delta' : 'full'
}

/**
 * One attempt of a sync, while holding the tenant's lease: fetch everything into staging rows,
 * compute the records, decide the events, then commit the snapshot. A delta link that expired turns
 * the attempt into a full sync. Throws on failure; the previous snapshot stays current.
 */
export async function runAttempt (deps: AttemptDeps, run: SyncRun, tenant: Tenant, lease: TenantLease, attempt: number, signal: AbortSignal): Promise<void> {
  const { db, bus, graph, config, log } = deps
  const scope: SyncScope = { syncId: run.syncId, tenantId: run.tenantId }
  const previousSyncId = tenant.currentSyncId
  let mode = chooseMode(run.requestedMode, tenant)
  await clearTenantExcept(db, scope.tenantId, [previousSyncId])
  await updateRun(db, scope.syncId, { mode, previousSyncId })
  await bus.publish(SyncStarted, createEvent(SyncStarted, {
    syncId: scope.syncId, tenantId: scope.tenantId, clientId: run.clientId, mode, startedAt: new Date().toISOString()
  }, { id: syncEventId(scope.syncId, SyncStarted.subject, attempt) }))

  const progress = new ProgressTracker({ db, bus, log, everyPages: config.SYNC_PROGRESS_EVERY_PAGES }, scope)
  try {
    progress.enter('fetching')
    const ctx = {
      db,
      scope,
      previousSyncId,
      progress,
      ...graphClients(graph, scope.tenantId),
      pageSize: config.GRAPH_PAGE_SIZE,
      perUserConcurrency: config.GRAPH_PER_USER_CONCURRENCY
    }
    const extra: Warning[] = []
    let result: FetchResult
    try {
      result = await fetchAll(ctx, mode, tenant.deltaLink, signal)
    } catch (err) {
      if (mode !== 'delta' || !isDeltaExpired(err)) throw err
      log.info({ syncId: scope.syncId, tenantId: scope.tenantId, code: err.code, status: err.status }, 'delta link expired, syncing in full')
      extra.push({ field: 'delta', reason: `the delta link can no longer be used (${err.code}), so this sync ran in full` })
      await clearSync(db, scope.syncId)
      mode = 'full'
      await updateRun(db, scope.syncId, { mode })
      result = await fetchAll(ctx, mode, null, signal)
    }

    progress.enter('committing')
    await analyzeIfLarge(db, scope.syncId)
    const upserted = await computeRecords(db, scope, result, mode, previousSyncId)
    signal.throwIfAborted()
    const batches = { upserted, removed: await planRemovals(db, scope, previousSyncId) }
    const counts = await countSnapshot(db, scope.syncId)
    await progress.flush()
    signal.throwIfAborted()
    await commitSnapshot(db, scope, {
      lease,
      mode,
      previousSyncId,
      deltaLink: result.deltaLink,
      counts,
      batches,
      mfaSource: result.registration.available ? 'registration-report' : 'unavailable',
      warnings: [...extra, ...result.warnings, ...mfaWarnings(result)]
    })
  } finally {
    await progress.flush()
  }
}

function graphClients (graph: GraphAccess, tenantId: string) {
  const { main, report } = graph.clientsFor(tenantId)
  return { client: main, reportClient: report }
}

/** Why MFA data is partly unknown, in the words libs/graph uses for the users' status. */
function mfaWarnings (result: FetchResult): Warning[] {
  const warnings: Warning[] = []
  if (!result.registration.available) {
    const { reason } = mfaStatus({ kind: 'user', deleted: false, registration: result.registration })
    warnings.push({ field: 'mfaStatus', reason: `${reason}, so MFA status is Unknown for every user account` })
  }
  if (!result.perUser.available) warnings.push({ field: 'perUserMfa', reason: result.perUser.reason })
  return warnings
}
