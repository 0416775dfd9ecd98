import { createEvent, SyncFailed, type EventOf, type SyncRequested } from '@m365/contracts'
import { GraphRequestError, isPermissionDenied } from '@m365/graph'
import type { GraphSyncConfig } from '../config.js'
import type { SyncMetrics } from '../plugins/sync-metrics.js'
import { syncEventId } from '../lib/ids.js'
import {
  deleteRun, ensureRun, finishAttempt, getRun, markFailed, markRetrying, startAttempt, unpublishedRuns, type SyncRun
} from '../repositories/sync-runs.js'
import { getTenant, type Tenant } from '../repositories/tenants.js'
import { describeError, InterruptedError, isRetryable, TenantBusyError } from './errors.js'
import { TenantLease } from './lease.js'
import { publishCommitted } from './publish.js'
import { runAttempt, type AttemptDeps } from './run-attempt.js'
import { clearSync, clearTenantExcept } from './staging.js'

type JobConfig = AttemptDeps['config'] & Pick<GraphSyncConfig, 'SYNC_MAX_ATTEMPTS' | 'SYNC_MAX_DELIVER' | 'SYNC_LEASE_TTL_MS'>

export interface SyncJobsDeps extends Omit<AttemptDeps, 'config'> {
  config: JobConfig
  /** This process, as lease holder and in sync_attempts. */
  worker: string
  metrics?: SyncMetrics
}

export interface JobLog {
  info: (obj: Record<string, unknown>, msg: string) => void
  warn: (obj: Record<string, unknown>, msg: string) => void
}

/**
 * Runs sync.requested jobs. A job takes the tenant's lease (busy → nak and wait), first finishes
 * publishing any committed sync of the tenant a crashed worker left behind, then runs an attempt
 * and publishes its events. Failures are retried with backoff (nak) up to SYNC_MAX_ATTEMPTS, then
 * the run fails for good (o365.sync.failed, willRetry false) and the job is acked.
 */
export class SyncJobs {
  readonly #closing = new AbortController()

  constructor (private readonly deps: SyncJobsDeps) {}

  /** Running jobs stop at their next step and go back to the queue; the lease is released. */
  close (): void {
    this.#closing.abort(new InterruptedError('the worker is shutting down'))
  }

  async handle (event: EventOf<typeof SyncRequested>, delivery: { deliveryCount: number }, log: JobLog): Promise<void> {
    this.#closing.signal.throwIfAborted()
    const admitted = await this.#admit(event.data, log)
    if (!admitted) return
    const { run, tenant } = admitted
    const { db, config, worker } = this.deps
    const lease = await TenantLease.acquire({ db, tenantId: run.tenantId, syncId: run.syncId, holder: worker, ttlMs: config.SYNC_LEASE_TTL_MS, log })
    if (!lease) {
      if (delivery.deliveryCount >= config.SYNC_MAX_DELIVER - 1) return await this.#fail(run, 0, 'another sync of the tenant kept running; try again later')
      this.deps.metrics?.attempt('busy')
      throw new TenantBusyError(`tenant ${run.tenantId} is being synced by another job`)
    }
    const signal = AbortSignal.any([this.#closing.signal, lease.signal])
    try {
      for (const pending of await unpublishedRuns(db, run.tenantId)) {
        if (pending.syncId !== run.syncId) await publishCommitted(this.deps, pending, signal)
      }
      if (run.phase === 'publishing') return await publishCommitted(this.deps, run, signal)
      await this.#attempt(run, tenant, lease, signal, log)
    } finally {
      await lease.release().catch((err: unknown) => log.warn({ err, tenantId: run.tenantId }, 'could not release the tenant lease'))
    }
  }

  /** The run and its tenant when the job is still to do; null when there is nothing (more) to do. */
  async #admit (d: EventOf<typeof SyncRequested>['data'], log: JobLog): Promise<{ run: SyncRun, tenant: Tenant } | null> {
    const { db } = this.deps
    const tenant = await getTenant(db, d.tenantId)
    if (!tenant) {
      // Its client was deleted (purged): drop what an attempt may still have staged, keep nothing.
      await clearSync(db, d.syncId)
      await deleteRun(db, d.syncId)
      log.info({ syncId: d.syncId, tenantId: d.tenantId }, 'sync job for a purged tenant dropped')
      return null
    }
    const run = await ensureRun(db, {
      syncId: d.syncId, tenantId: d.tenantId, clientId: d.clientId, reason: d.reason, requestedMode: d.mode, requestedAt: new Date(d.requestedAt)
    })
    if (run.outcome) return null // finished before: a duplicate delivery
    if (tenant.clientId !== run.clientId) {
      await this.#fail(run, 0, `tenant ${run.tenantId} now belongs to another client`)
      return null
    }
    if (tenant.status !== 'connected' && run.phase !== 'publishing') {
      await this.#fail(run, 0, `tenant ${run.tenantId} is ${tenant.status}, not connected`)
      return null
    }
    return { run, tenant }
  }

  async #attempt (run: SyncRun, tenant: Tenant, lease: TenantLease, signal: AbortSignal, log: JobLog): Promise<void> {
    const { db, worker, graph } = this.deps
    const attempt = await startAttempt(db, run.syncId, run.tenantId, worker)
    // A token carries the permissions granted when it was issued: an MSP who grants one (Policy.Read.All, say)
    // and asks for a sync expects that sync to use it, not the cached token's older grant.
    if (run.reason === 'manual' && attempt === 1) graph.forgetToken(run.tenantId)
    const started = performance.now()
    const seconds = () => (performance.now() - started) / 1000
    log.info({ syncId: run.syncId, tenantId: run.tenantId, attempt }, 'sync attempt started')
    try {
      await runAttempt(this.deps, run, tenant, lease, attempt, signal)
    } catch (err) {
      return await this.#attemptFailed(run, attempt, signal.aborted ? signal.reason as Error : err, seconds(), log)
    }
    await finishAttempt(db, run.syncId, attempt, 'committed')
    const committed = await getRun(db, run.syncId)
    if (!committed) throw new Error(`sync run ${run.syncId} vanished after its commit`)
    await publishCommitted(this.deps, committed, signal)
    // A replaced snapshot and the staging data are no longer needed (the next sync would drop them too).
    await dropAllButSnapshot(db, run.tenantId).catch((err: unknown) => log.warn({ err, tenantId: run.tenantId }, 'could not drop the previous snapshot'))
    this.deps.metrics?.attempt('completed', seconds())
    log.info({ syncId: run.syncId, tenantId: run.tenantId, attempt }, 'sync completed')
  }

  /** Another attempt later (rethrows: the job is nak'ed with backoff), or the end of the run. */
  async #attemptFailed (run: SyncRun, attempt: number, cause: unknown, seconds: number, log: JobLog): Promise<void> {
    const { db, config, graph } = this.deps
    const message = describeError(cause)
    const interrupted = cause instanceof InterruptedError
    await finishAttempt(db, run.syncId, attempt, interrupted ? 'interrupted' : 'failed', message)
    // Graph no longer takes the token (revoked, expired early) or its roles no longer hold (permissions
    // changed): the next attempt asks the identity platform afresh, which also tells a revoked consent.
    if ((cause instanceof GraphRequestError && cause.status === 401) || isPermissionDenied(cause)) graph.forgetToken(run.tenantId)
    const context = { err: cause, syncId: run.syncId, tenantId: run.tenantId, attempt }
    if (interrupted || (isRetryable(cause) && attempt < config.SYNC_MAX_ATTEMPTS)) {
      this.deps.metrics?.attempt(interrupted ? 'interrupted' : 'retrying', seconds)
      log.warn(context, 'sync attempt failed, will retry')
      await markRetrying(db, run.syncId, message)
      await this.#publishFailed(run, attempt, message, true)
      throw cause
    }
    this.deps.metrics?.attempt('failed', seconds)
    log.warn(context, 'sync failed for good')
    await this.#fail(run, attempt, message)
  }

  async #fail (run: SyncRun, attempt: number, message: string): Promise<void> {
    await markFailed(this.deps.db, run.syncId, message)
    await this.#publishFailed(run, attempt, message, false)
  }

  async #publishFailed (run: SyncRun, attempt: number, error: string, willRetry: boolean): Promise<void> {
    await this.deps.bus.publish(SyncFailed, createEvent(SyncFailed, {
      syncId: run.syncId, tenantId: run.tenantId, clientId: run.clientId, error, willRetry, at: new Date().toISOString()
    }, { id: syncEventId(run.syncId, SyncFailed.subject, attempt) }))
  }
}

/** Everything of the tenant but its snapshot's rows (a purged tenant has none left). */
async function dropAllButSnapshot (db: SyncJobsDeps['db'], tenantId: string): Promise<void> {
  const tenant = await getTenant(db, tenantId)
  await clearTenantExcept(db, tenantId, [tenant?.snapshotId ?? null])
}
