import type { EventBus } from '@m365/bus'
import { createEvent, SyncStarted, type SyncCounts } from '@m365/contracts'
import type { AnyDb } from '@m365/db'
import { isDeltaExpired, mfaStatus } from '@m365/graph'
import type { GraphSyncConfig } from '../config.js'
import type { GraphAccess } from '../graph/graph-access.js'
import { syncEventId } from '../lib/ids.js'
import { getRun, updateRun, type SyncRun } from '../repositories/sync-runs.js'
import type { Tenant } from '../repositories/tenants.js'
import { countSnapshot, planRemovals } from './changes.js'
import { commitSnapshot } from './commit.js'
import { fetchAll, type FetchContext, type FetchResult, type Warning } from './fetch.js'
import {
  canApplyInPlace, countInPlace, dropDeletedTwins, perUserInputOf, planRemovalsInPlace, recordInputsOf, stageRegistrationChanges,
  stageUntouchedUsers
} from './incremental.js'
import type { TenantLease } from './lease.js'
import { ProgressTracker } from './progress.js'
import { computeRecords, skuPartsOf } from './records.js'
import { analyzeIfLarge, clearSync, clearTenantExcept, type SyncScope } from './staging.js'

export interface AttemptDeps {
  db: AnyDb
  bus: EventBus
  graph: GraphAccess
  config: Pick<GraphSyncConfig, 'GRAPH_PAGE_SIZE' | 'GRAPH_PER_USER_CONCURRENCY' | 'SYNC_PROGRESS_EVERY_PAGES' | 'SYNC_FULL_EVERY_HOURS'>
  log: { info: (obj: Record<string, unknown>, msg: string) => void, warn: (obj: Record<string, unknown>, msg: string) => void }
}

type ModeTenant = Pick<Tenant, 'currentSyncId' | 'snapshotId' | 'deltaLink' | 'lastFullSyncAt'>

/**
 * 'full' when asked, when there is no snapshot with a delta link to continue from, or for 'auto' when
 * the last full sync is `fullEveryHours` old (0: never): per-user MFA state changes never show in
 * users/delta, so only a full sync reads them for users nothing else changed. No full sync on record
 * (the migration filled the column from the runs) counts as due.
 */
export function chooseMode (requested: string, tenant: ModeTenant, fullEveryHours: number, now = Date.now()): 'full' | 'delta' {
  if (requested === 'full' || !tenant.currentSyncId || !tenant.snapshotId || !tenant.deltaLink) return 'full'
  return requested === 'auto' && fullSyncDue(tenant.lastFullSyncAt, fullEveryHours, now) ? 'full' : 'delta'
}

function fullSyncDue (lastFullSyncAt: Date | null, everyHours: number, now: number): boolean {
  if (everyHours === 0) return false
  return !lastFullSyncAt || now - lastFullSyncAt.getTime() >= everyHours * 3_600_000
}

/**
 * One attempt of a sync, while holding the tenant's lease: fetch everything into staging rows,
 * compute the records, decide the events, then commit the snapshot. A full sync stages everything
 * and replaces the snapshot; a delta sync stages its changes and, when the snapshot's records still
 * hold, computes and applies only those (else it rebuilds: see incremental.ts). A delta that cannot
 * do turns the attempt into a full sync (see fetchSync). Throws on failure; the previous snapshot stays current.
 */
export async function runAttempt (deps: AttemptDeps, run: SyncRun, tenant: Tenant, lease: TenantLease, attempt: number, signal: AbortSignal): Promise<void> {
  const { db, bus, graph, config, log } = deps
  const scope: SyncScope = { syncId: run.syncId, tenantId: run.tenantId }
  const previousSyncId = tenant.currentSyncId
  const snapshotId = tenant.snapshotId
  const previous = previousSyncId ? await getRun(db, previousSyncId) : undefined
  const chosen = chooseMode(run.requestedMode, tenant, config.SYNC_FULL_EVERY_HOURS)
  await clearTenantExcept(db, scope.tenantId, [snapshotId])
  await updateRun(db, scope.syncId, { mode: chosen, previousSyncId })
  await bus.publish(SyncStarted, createEvent(SyncStarted, {
    syncId: scope.syncId, tenantId: scope.tenantId, clientId: run.clientId, mode: chosen, startedAt: new Date().toISOString()
  }, { id: syncEventId(scope.syncId, SyncStarted.subject, attempt) }))

  const progress = new ProgressTracker({ db, bus, log, everyPages: config.SYNC_PROGRESS_EVERY_PAGES }, scope)
  try {
    progress.enter('fetching')
    const ctx: FetchContext = {
      db,
      scope,
      snapshotId,
      snapshotPerUser: perUserInputOf(previous?.recordInputs),
      progress,
      ...graphClients(graph, scope.tenantId),
      pageSize: config.GRAPH_PAGE_SIZE,
      perUserConcurrency: config.GRAPH_PER_USER_CONCURRENCY
    }
    const { mode, result, warnings: extra } = await fetchSync(deps, ctx, chosen, tenant.deltaLink, signal)

    progress.enter('committing')
    const parts = await skuPartsOf(db, scope.syncId)
    const recordInputs = recordInputsOf(result, parts)
    const plan = await planSnapshot(db, scope, mode, snapshotId, previous, recordInputs, result)
    // Once is enough for a full sync whose users were; a delta may just have staged the snapshot's users.
    if (mode === 'delta' || !result.analyzed) await analyzeIfLarge(db, scope.syncId)
    const upserted = await computeRecords(db, scope, result, parts, mode === 'delta' ? snapshotId : null)
    signal.throwIfAborted()
    const inPlace = plan.kind === 'in-place'
    const batches = { upserted, removed: inPlace ? await planRemovalsInPlace(db, scope, plan.snapshotId) : await planRemovals(db, scope, snapshotId) }
    const counts = inPlace ? await countInPlace(db, scope, plan.snapshotId, plan.counts) : await countSnapshot(db, scope.syncId)
    await progress.flush()
    signal.throwIfAborted()
    await commitSnapshot(db, scope, {
      lease,
      mode,
      previousSyncId,
      snapshotId,
      apply: inPlace ? { kind: 'in-place', registrations: result.registration.available } : { kind: 'replace' },
      recordInputs,
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

/**
 * fetchAll in the chosen mode, or in full when a delta cannot do: its link expired, or the snapshot's
 * per-user states could not be read and now they can (only a full sync reads every user's). The
 * attempt's staged rows start over, and a warning says why the sync ran in full.
 */
async function fetchSync (
  deps: AttemptDeps, ctx: FetchContext, mode: 'full' | 'delta', deltaLink: string | null, signal: AbortSignal
): Promise<{ mode: 'full' | 'delta', result: FetchResult, warnings: Warning[] }> {
  if (mode === 'full') return { mode, result: await fetchAll(ctx, mode, null, signal), warnings: [] }
  const ids = { syncId: ctx.scope.syncId, tenantId: ctx.scope.tenantId }
  let reason: string
  try {
    const result = await fetchAll(ctx, mode, deltaLink, signal)
    const perUserReadableNow = ctx.snapshotPerUser?.available === false && result.perUser.available
    if (!perUserReadableNow) return { mode, result, warnings: [] }
    deps.log.info(ids, 'per-user MFA states can be read now, syncing in full')
    reason = 'the per-user MFA state can be read now (Policy.Read.All), so this sync ran in full to read it for every user'
  } catch (err) {
    if (!isDeltaExpired(err)) throw err
    deps.log.info({ ...ids, code: err.code, status: err.status }, 'delta link expired, syncing in full')
    reason = `the delta link can no longer be used (${err.code}), so this sync ran in full`
  }
  await clearSync(deps.db, ids.syncId)
  await updateRun(deps.db, ids.syncId, { mode: 'full' })
  return { mode: 'full', result: await fetchAll(ctx, 'full', null, signal), warnings: [{ field: 'delta', reason }] }
}

type SnapshotPlan = { kind: 'replace' } | { kind: 'in-place', snapshotId: string, counts: SyncCounts }

/**
 * How the sync becomes the snapshot, with its staged rows made ready for computeRecords. A full sync
 * staged everything. A delta sync whose record inputs match the snapshot's stays in place, adding
 * the users whose registration row changed; otherwise it stages the snapshot's untouched users too
 * and replaces the snapshot (every record recomputed).
 */
async function planSnapshot (
  db: AnyDb, scope: SyncScope, mode: 'full' | 'delta', snapshotId: string | null, previous: SyncRun | undefined,
  recordInputs: unknown, result: FetchResult
): Promise<SnapshotPlan> {
  if (mode === 'full' || !snapshotId) {
    await dropDeletedTwins(db, scope, null)
    return { kind: 'replace' }
  }
  const base = { snapshotId, recordInputs: previous?.recordInputs ?? null, counts: (previous?.counts ?? null) as SyncCounts | null }
  if (canApplyInPlace(base, recordInputs)) {
    if (result.registration.available) await stageRegistrationChanges(db, scope, snapshotId)
    await dropDeletedTwins(db, scope, snapshotId)
    return { kind: 'in-place', snapshotId, counts: base.counts }
  }
  await stageUntouchedUsers(db, scope, snapshotId)
  await dropDeletedTwins(db, scope, null)
  return { kind: 'replace' }
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
