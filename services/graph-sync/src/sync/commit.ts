import { sql } from 'drizzle-orm'
import type { SyncCounts } from '@m365/contracts'
import { queryRows, type AnyDb } from '@m365/db'
import type { Batches } from './changes.js'
import type { Warning } from './fetch.js'
import { applyInPlace } from './incremental.js'
import type { TenantLease } from './lease.js'
import type { SyncScope } from './staging.js'

/** The snapshot moved under us (another sync committed, or the client was deleted): this sync's rows are stale. */
export class SnapshotConflictError extends Error {
  override readonly name = 'SnapshotConflictError'
}

export interface CommitInput {
  lease: TenantLease
  mode: 'full' | 'delta'
  /** The last committed sync and the snapshot rows this sync started from. */
  previousSyncId: string | null
  snapshotId: string | null
  /**
   * 'replace': the sync's rows are the whole new snapshot. 'in-place': the sync staged changes only,
   * applied to the snapshot's rows here (`registrations`: with the registration report's rows).
   */
  apply: { kind: 'replace' } | { kind: 'in-place', registrations: boolean }
  deltaLink: string
  counts: SyncCounts
  batches: Batches
  recordInputs: unknown
  mfaSource: 'registration-report' | 'unavailable'
  warnings: Warning[]
}

/**
 * Makes the sync the tenant's current snapshot in one transaction: only while we hold the lease and
 * the tenant still has the snapshot we started from, either the tenant's pointer moves to the sync's
 * rows, or the sync's changes are applied to the snapshot's rows; the run enters 'publishing'.
 * Readers see the old snapshot or the new one, never a mix, and a failure leaves the old one as it
 * was. A replaced snapshot's rows are dropped once the events are out.
 */
export async function commitSnapshot (db: AnyDb, scope: SyncScope, input: CommitInput): Promise<void> {
  const { syncId, tenantId } = scope
  await db.transaction(async (tx) => {
    await input.lease.assertHeld(tx)
    const base = await queryRows(tx, sql`
      select tenant_id from graph_sync.tenants
      where tenant_id = ${tenantId}::uuid and current_sync_id is not distinct from ${input.previousSyncId}::uuid
        and snapshot_id is not distinct from ${input.snapshotId}::uuid
      for update`)
    if (base.length === 0) throw new SnapshotConflictError(`tenant ${tenantId} no longer has the snapshot this sync started from`)
    let snapshotId = syncId
    if (input.apply.kind === 'in-place') {
      if (!input.snapshotId) throw new Error('a sync applied in place needs a snapshot')
      await applyInPlace(tx, scope, input.snapshotId, { registrations: input.apply.registrations })
      snapshotId = input.snapshotId
    }
    await tx.execute(sql`
      update graph_sync.tenants set current_sync_id = ${syncId}::uuid, snapshot_id = ${snapshotId}::uuid, delta_link = ${input.deltaLink},
        last_synced_at = now(), updated_at = now(),
        last_full_sync_at = ${input.mode === 'full' ? sql`now()` : sql`last_full_sync_at`}
      where tenant_id = ${tenantId}::uuid`)
    await tx.execute(sql`
      update graph_sync.sync_runs set phase = 'publishing', mode = ${input.mode}, counts = ${JSON.stringify(input.counts)}::jsonb,
        batches = ${JSON.stringify(input.batches)}::jsonb, mfa_source = ${input.mfaSource},
        record_inputs = ${JSON.stringify(input.recordInputs)}::jsonb,
        warnings = ${JSON.stringify(input.warnings)}::jsonb, delta_link = ${input.deltaLink}, committed_at = now(), updated_at = now()
      where sync_id = ${syncId}::uuid`)
  })
}
