import { and, eq, sql } from 'drizzle-orm'
import { RetryLaterError } from '@m365/bus'
import type { EventOf, O365SkusReplaced, O365UsersRemoved, O365UsersUpserted, SyncCompleted } from '@m365/contracts'
import { queryRows, type AnyDb } from '@m365/db'
import { stagedBatches, stagedSkus, stagedSyncs } from '../db/schema.js'
import { applySync, replaceSkus, type SyncToApply } from './apply-sync.js'
import { isDeletedClient, lockTenant, markProcessed } from './guards.js'

type Completion = EventOf<typeof SyncCompleted>['data']
/** applied-without-skus: its SKUs did not come within skusWaitMs of its completion, so the tenant keeps the SKUs it had */
export type SyncOutcome = 'applied' | 'applied-without-skus' | 'incomplete' | 'ignored'

/**
 * How long a sync whose completion and batches are in waits for its o365.skus.replaced (the SKU consumer
 * lagging) before it is applied without: a lost or dead-lettered SKU event must not hold the sync back for ever.
 */
export const SYNC_SKUS_WAIT_MS = 600_000

export interface ApplyOptions {
  skusWaitMs?: number
}

/**
 * Batches handled at once per consumer: one batch's JSON is decoded and validated while others are
 * written, and batches of one tenant are staged side by side (the tenant's lock is shared for that).
 * Four rather than two: a 100,000-user sync's staging then trailed graph-sync's last batch by about
 * 1 s instead of 3 s (bench 1, session 7); each batch in flight holds a few MB of parsed JSON.
 */
export const BATCH_CONCURRENCY = 4

/**
 * Thrown after recording a SyncCompleted whose batches or SKUs are not all here yet: the bus redelivers it
 * later (usual after a big sync, and no failure: the last of them to arrive applies the sync anyway).
 */
export class SyncIncompleteError extends RetryLaterError {
  override readonly name = 'SyncIncompleteError'
}

const toApply = (c: Completion): SyncToApply => ({
  syncId: c.syncId, tenantId: c.tenantId, clientId: c.clientId, mode: c.mode, completedAt: c.completedAt
})

/**
 * A sync's o365.users.* batches are held by syncId and applied, all in one transaction, once its
 * SyncCompleted, every batch it counts and its SKUs have arrived, whichever comes last. A batch is staged
 * under the tenant's shared lock, so a tenant's batches are written side by side; when its sync's
 * completion is already here, a second transaction takes the lock exclusively (after every batch
 * being staged has committed) and applies the sync if it is complete. A batch seen before checks
 * again, in case its first delivery staged it but failed to apply.
 */
export async function handleUsersBatch (
  db: AnyDb, kind: 'upserted' | 'removed', event: EventOf<typeof O365UsersUpserted> | EventOf<typeof O365UsersRemoved>,
  options: ApplyOptions = {}
): Promise<SyncOutcome> {
  const { syncId, tenantId, clientId, batch } = event.data
  const staged = await db.transaction(async (tx) => {
    const fresh = await markProcessed(tx, event.id)
    if (await isDeletedClient(tx, clientId)) return 'ignored'
    await lockTenant(tx, tenantId, 'shared')
    const sync = await stageSync(tx, syncId, tenantId, clientId)
    if (sync.appliedAt) return 'ignored'
    if (fresh) await tx.insert(stagedBatches).values({ syncId, kind, batch, payload: event.data }).onConflictDoNothing()
    // Batches usually all come before their completion; until it is here there is nothing to count.
    return sync.completion ? 'check' : 'incomplete'
  })
  if (staged !== 'check') return staged
  return await db.transaction(async (tx) => {
    await lockTenant(tx, tenantId)
    return await applyIfComplete(tx, syncId, options)
  })
}

/**
 * SKUs are staged with their sync, which waits for them (applyIfComplete). A sync applied without them
 * (its wait over, or by a replica from before syncs waited for their SKUs) gets them directly, unless newer ones are held.
 */
export async function handleSkusReplaced (db: AnyDb, event: EventOf<typeof O365SkusReplaced>): Promise<SyncOutcome> {
  const { syncId, tenantId, clientId, skus } = event.data
  return await db.transaction(async (tx) => {
    if (!await markProcessed(tx, event.id)) return 'ignored'
    if (await isDeletedClient(tx, clientId)) return 'ignored'
    await lockTenant(tx, tenantId)
    const staged = await stageSync(tx, syncId, tenantId, clientId)
    if (staged.appliedAt && staged.completion) {
      await replaceSkus(tx, toApply(staged.completion), skus)
      return 'applied'
    }
    await tx.insert(stagedSkus).values({ syncId, payload: skus }).onConflictDoNothing()
    return staged.completion ? await applyIfComplete(tx, syncId, {}) : 'incomplete'
  })
}

/**
 * Records the completion (idempotent: the sync's state is the record, not the event id, so a
 * redelivery checks again) and applies the sync when complete; otherwise throws for redelivery.
 * The redeliveries are also what applies a sync whose SKUs never come, once options.skusWaitMs is over.
 */
export async function handleSyncCompleted (db: AnyDb, event: EventOf<typeof SyncCompleted>, options: ApplyOptions = {}): Promise<SyncOutcome> {
  const { syncId, tenantId, clientId } = event.data
  const outcome = await db.transaction(async (tx) => {
    if (await isDeletedClient(tx, clientId)) return 'ignored' as const
    await lockTenant(tx, tenantId)
    await stageSync(tx, syncId, tenantId, clientId)
    await tx.update(stagedSyncs).set({ completion: event.data, completionReceivedAt: sql`now()` })
      .where(and(eq(stagedSyncs.syncId, syncId), sql`${stagedSyncs.completion} is null`))
    return await applyIfComplete(tx, syncId, options)
  })
  if (outcome === 'incomplete') {
    throw new SyncIncompleteError(`sync ${syncId} completed but not all its batches and SKUs have arrived yet`)
  }
  return outcome
}

async function stageSync (tx: AnyDb, syncId: string, tenantId: string, clientId: string) {
  await tx.insert(stagedSyncs).values({ syncId, tenantId, clientId }).onConflictDoNothing()
  const [row] = await tx.select().from(stagedSyncs).where(eq(stagedSyncs.syncId, syncId))
  if (!row) throw new Error(`staged sync ${syncId} vanished`)
  return { appliedAt: row.appliedAt, completion: row.completion as Completion | null }
}

/**
 * Complete: the completion, every batch it counts and the SKUs. graph-sync publishes one o365.skus.replaced
 * per sync, but its consumer can lag: applied without it, the sync's users would show with the licence
 * totals of the sync before. So the sync waits for them, but only skusWaitMs from its completion: then it
 * is applied with the SKUs the tenant holds (tenant_sync_state.skus_sync_id still names their sync), and
 * its SKUs, should they come later, still replace them (handleSkusReplaced).
 */
async function applyIfComplete (tx: AnyDb, syncId: string, { skusWaitMs = SYNC_SKUS_WAIT_MS }: ApplyOptions): Promise<SyncOutcome> {
  const [state] = await queryRows<{
    completion: Completion | null, applied: boolean, upserted: number, removed: number, skus: unknown, skusWaitOver: boolean
  }>(tx, sql`
    select s.completion, s.applied_at is not null as applied,
      coalesce(s.completion_received_at, s.received_at) <= now() - ${skusWaitMs} * interval '1 millisecond' as "skusWaitOver",
      (select count(*)::int from report.staged_batches b where b.sync_id = s.sync_id and b.kind = 'upserted'
        and b.batch <= (s.completion->'batches'->>'upserted')::int) as upserted,
      (select count(*)::int from report.staged_batches b where b.sync_id = s.sync_id and b.kind = 'removed'
        and b.batch <= (s.completion->'batches'->>'removed')::int) as removed,
      (select k.payload from report.staged_skus k where k.sync_id = s.sync_id) as skus
    from report.staged_syncs s where s.sync_id = ${syncId}::uuid`)
  if (state?.applied) return 'ignored'
  if (!state?.completion) return 'incomplete'
  const { batches } = state.completion
  if (state.upserted < batches.upserted || state.removed < batches.removed) return 'incomplete'
  if (state.skus === null && !state.skusWaitOver) return 'incomplete'
  const sync = toApply(state.completion)
  await applySync(tx, sync)
  if (state.skus !== null) await replaceSkus(tx, sync, state.skus)
  await tx.update(stagedSyncs).set({ appliedAt: new Date() }).where(eq(stagedSyncs.syncId, syncId))
  await tx.delete(stagedBatches).where(eq(stagedBatches.syncId, syncId))
  await tx.delete(stagedSkus).where(eq(stagedSkus.syncId, syncId))
  return state.skus === null ? 'applied-without-skus' : 'applied'
}
