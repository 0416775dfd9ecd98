import { sql } from 'drizzle-orm'
import type { SyncCounts } from '@m365/contracts'
import { queryRows, type AnyDb } from '@m365/db'
import type { Batches } from './changes.js'
import type { Warning } from './fetch.js'
import type { TenantLease } from './lease.js'
import type { SyncScope } from './staging.js'

/** The snapshot moved under us (another sync committed, or the client was deleted): this sync's rows are stale. */
export class SnapshotConflictError extends Error {
  override readonly name = 'SnapshotConflictError'
}

export interface CommitInput {
  lease: TenantLease
  mode: 'full' | 'delta'
  previousSyncId: string | null
  deltaLink: string
  counts: SyncCounts
  batches: Batches
  mfaSource: 'registration-report' | 'unavailable'
  warnings: Warning[]
}

/**
 * Makes the staged rows the tenant's current snapshot in one short transaction: the tenant's
 * pointer moves to this sync (only if it still points at the snapshot we started from, and only
 * while we hold the lease), and the run enters 'publishing'. Readers see the old snapshot or the
 * new one, never a mix. The old snapshot's rows are dropped once the events are out.
 */
export async function commitSnapshot (db: AnyDb, scope: SyncScope, input: CommitInput): Promise<void> {
  const { syncId, tenantId } = scope
  await db.transaction(async (tx) => {
    await input.lease.assertHeld(tx)
    const moved = await queryRows(tx, sql`
      update graph_sync.tenants set current_sync_id = ${syncId}::uuid, delta_link = ${input.deltaLink},
        last_synced_at = now(), updated_at = now()
      where tenant_id = ${tenantId}::uuid and current_sync_id is not distinct from ${input.previousSyncId}::uuid
      returning tenant_id`)
    if (moved.length === 0) throw new SnapshotConflictError(`tenant ${tenantId} no longer has the snapshot this sync started from`)
    await tx.execute(sql`
      update graph_sync.sync_runs set phase = 'publishing', mode = ${input.mode}, counts = ${JSON.stringify(input.counts)}::jsonb,
        batches = ${JSON.stringify(input.batches)}::jsonb, mfa_source = ${input.mfaSource},
        warnings = ${JSON.stringify(input.warnings)}::jsonb, delta_link = ${input.deltaLink}, committed_at = now(), updated_at = now()
      where sync_id = ${syncId}::uuid`)
  })
}
