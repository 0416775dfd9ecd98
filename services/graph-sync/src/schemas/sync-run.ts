import { Type, type Static } from '@sinclair/typebox'
import { SyncCounts, SyncMode, SyncPhase } from '@m365/contracts'
import type { SyncRun } from '../repositories/sync-runs.js'

const Uuid = Type.String({ format: 'uuid' })
const Instant = Type.Union([Type.String({ format: 'date-time' }), Type.Null()])

export const SyncWarning = Type.Object({
  field: Type.String({ description: 'what could not be read, e.g. perUserMfa, mfaStatus, conditionalAccess' }),
  reason: Type.String()
})

export const SyncRunView = Type.Object({
  syncId: Uuid,
  tenantId: Uuid,
  clientId: Uuid,
  reason: Type.String({ description: 'schedule | connected | manual | retry' }),
  requestedMode: SyncMode,
  mode: Type.Union([Type.Literal('full'), Type.Literal('delta'), Type.Null()]),
  phase: SyncPhase,
  outcome: Type.Union([Type.Literal('completed'), Type.Literal('failed'), Type.Null()]),
  attempts: Type.Integer({ minimum: 0 }),
  progress: Type.Object({ pages: Type.Integer({ minimum: 0 }), usersProcessed: Type.Integer({ minimum: 0 }) }),
  counts: Type.Union([SyncCounts, Type.Null()]),
  batches: Type.Union([Type.Object({ upserted: Type.Integer(), removed: Type.Integer() }), Type.Null()]),
  mfaSource: Type.Union([Type.Literal('registration-report'), Type.Literal('unavailable'), Type.Null()]),
  warnings: Type.Array(SyncWarning),
  error: Type.Union([Type.String(), Type.Null()]),
  requestedAt: Type.String({ format: 'date-time' }),
  startedAt: Instant,
  committedAt: Instant,
  finishedAt: Instant,
  durationMs: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()])
}, { title: 'SyncRun' })
export type SyncRunView = Static<typeof SyncRunView>

const iso = (d: Date | null) => (d ? d.toISOString() : null)

export function toSyncRunView (run: SyncRun): SyncRunView {
  return {
    syncId: run.syncId,
    tenantId: run.tenantId,
    clientId: run.clientId,
    reason: run.reason,
    requestedMode: run.requestedMode as SyncRunView['requestedMode'],
    mode: run.mode as SyncRunView['mode'],
    phase: run.phase as SyncRunView['phase'],
    outcome: run.outcome as SyncRunView['outcome'],
    attempts: run.attempts,
    progress: { pages: run.pages, usersProcessed: run.usersProcessed },
    counts: run.counts as SyncRunView['counts'],
    batches: run.batches as SyncRunView['batches'],
    mfaSource: run.mfaSource as SyncRunView['mfaSource'],
    warnings: run.warnings as SyncRunView['warnings'],
    error: run.error,
    requestedAt: run.requestedAt.toISOString(),
    startedAt: iso(run.startedAt),
    committedAt: iso(run.committedAt),
    finishedAt: iso(run.finishedAt),
    durationMs: run.startedAt && run.finishedAt ? Math.max(0, run.finishedAt.getTime() - run.startedAt.getTime()) : null
  }
}
