import type { SyncRun } from '@m365/api'
import type { SyncRun as SyncRunRow } from '../repositories/sync-runs.js'

// The public SyncRun schema is @m365/api's (the gateway documents the same /v1 paths); this maps a row onto it.

const iso = (d: Date | null) => (d ? d.toISOString() : null)

export function toSyncRunView (run: SyncRunRow): SyncRun {
  return {
    syncId: run.syncId,
    tenantId: run.tenantId,
    clientId: run.clientId,
    reason: run.reason,
    requestedMode: run.requestedMode as SyncRun['requestedMode'],
    mode: run.mode as SyncRun['mode'],
    phase: run.phase as SyncRun['phase'],
    outcome: run.outcome as SyncRun['outcome'],
    attempts: run.attempts,
    progress: { pages: run.pages, usersProcessed: run.usersProcessed, perUserMfaRead: run.perUserMfaRead },
    counts: run.counts as SyncRun['counts'],
    batches: run.batches as SyncRun['batches'],
    mfaSource: run.mfaSource as SyncRun['mfaSource'],
    warnings: run.warnings as SyncRun['warnings'],
    error: run.error,
    requestedAt: run.requestedAt.toISOString(),
    startedAt: iso(run.startedAt),
    committedAt: iso(run.committedAt),
    finishedAt: iso(run.finishedAt),
    durationMs: run.startedAt && run.finishedAt ? Math.max(0, run.finishedAt.getTime() - run.startedAt.getTime()) : null
  }
}
