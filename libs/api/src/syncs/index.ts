import { Type, type Static } from '@sinclair/typebox'
import { SyncCounts, SyncMode, SyncPhase } from '@m365/contracts'

// The public shapes of graph-sync's sync routes (same paths, same fields).

const Uuid = Type.String({ format: 'uuid' })
const Instant = Type.Union([Type.String({ format: 'date-time' }), Type.Null()])

export const SyncWarning = Type.Object({
  field: Type.String({ description: 'what could not be read, e.g. perUserMfa, mfaStatus, conditionalAccess' }),
  reason: Type.String()
})
export type SyncWarning = Static<typeof SyncWarning>

/** A sync run: phase, progress, outcome. */
export const SyncRun = Type.Object({
  syncId: Uuid,
  tenantId: Uuid,
  clientId: Uuid,
  reason: Type.String({ description: 'schedule | connected | manual | retry' }),
  requestedMode: SyncMode,
  mode: Type.Union([Type.Literal('full'), Type.Literal('delta'), Type.Null()]),
  phase: SyncPhase,
  outcome: Type.Union([Type.Literal('completed'), Type.Literal('failed'), Type.Null()]),
  attempts: Type.Integer({ minimum: 0 }),
  progress: Type.Object({
    pages: Type.Integer({ minimum: 0, description: 'Graph pages read: users, deleted users, org contacts, the registration report' }),
    usersProcessed: Type.Integer({ minimum: 0, description: 'users listed (a delta sync: changes received)' }),
    perUserMfaRead: Type.Integer({
      minimum: 0,
      description: 'users whose legacy per-user MFA state has been read (one Graph call each, 20 to a batch): after the listing, the longest part of a large sync without Entra ID P1'
    })
  }),
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
export type SyncRun = Static<typeof SyncRun>

/**
 * POST …/tenants/{tenantId}/sync: `auto` (default) runs a delta sync when there is a snapshot to continue from and the
 * tenant's last full sync is younger than graph-sync's SYNC_FULL_EVERY_HOURS, else a full one.
 */
export const SyncStart = Type.Object({ mode: Type.Optional(SyncMode) }, { additionalProperties: false })
export type SyncStart = Static<typeof SyncStart>

export const SyncAccepted = Type.Object({ syncId: Uuid })
export type SyncAccepted = Static<typeof SyncAccepted>

export const SyncParams = Type.Object({ syncId: Uuid })
export type SyncParams = Static<typeof SyncParams>
