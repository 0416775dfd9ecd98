import { Type, type Static } from '@sinclair/typebox'
import { defineEvent } from '../define.js'
import { ClientId, TenantId, Timestamp, Uuid } from './common.js'

export const SyncMode = Type.Union([Type.Literal('auto'), Type.Literal('full'), Type.Literal('delta')])
export type SyncMode = Static<typeof SyncMode>

export const SyncPhase = Type.Union([
  Type.Literal('queued'), Type.Literal('fetching'), Type.Literal('committing'),
  Type.Literal('publishing'), Type.Literal('completed'), Type.Literal('failed')
])
export type SyncPhase = Static<typeof SyncPhase>

/** A job on the work-queue stream: any graph-sync replica may take it. */
export const SyncRequested = defineEvent('sync.requested', 1, Type.Object({
  syncId: Uuid,
  tenantId: TenantId,
  clientId: ClientId,
  mode: SyncMode,
  reason: Type.Union([Type.Literal('schedule'), Type.Literal('connected'), Type.Literal('manual'), Type.Literal('retry')]),
  requestedAt: Timestamp
}), 'jobs')

export const SyncStarted = defineEvent('o365.sync.started', 1, Type.Object({
  syncId: Uuid,
  tenantId: TenantId,
  clientId: ClientId,
  mode: Type.Union([Type.Literal('full'), Type.Literal('delta')]),
  startedAt: Timestamp
}))

export const SyncProgress = defineEvent('o365.sync.progress', 1, Type.Object({
  syncId: Uuid,
  tenantId: TenantId,
  phase: SyncPhase,
  pages: Type.Integer({ minimum: 0 }),
  usersProcessed: Type.Integer({ minimum: 0 }),
  /** users whose legacy per-user MFA state has been read (optional: added within version 1) */
  perUserMfaRead: Type.Optional(Type.Integer({ minimum: 0 })),
  at: Timestamp
}))

export const SyncCounts = Type.Object({
  users: Type.Integer({ minimum: 0 }),
  members: Type.Integer({ minimum: 0 }),
  guests: Type.Integer({ minimum: 0 }),
  disabled: Type.Integer({ minimum: 0 }),
  deleted: Type.Integer({ minimum: 0 }),
  orgContacts: Type.Integer({ minimum: 0 }),
  skus: Type.Integer({ minimum: 0 })
})
export type SyncCounts = Static<typeof SyncCounts>

/** Published after the snapshot commits. `batches` lets consumers know when they hold every o365.users.* batch of the sync. */
export const SyncCompleted = defineEvent('o365.sync.completed', 1, Type.Object({
  syncId: Uuid,
  tenantId: TenantId,
  clientId: ClientId,
  mode: Type.Union([Type.Literal('full'), Type.Literal('delta')]),
  counts: SyncCounts,
  batches: Type.Object({
    upserted: Type.Integer({ minimum: 0 }),
    removed: Type.Integer({ minimum: 0 })
  }),
  mfaSource: Type.Union([Type.Literal('registration-report'), Type.Literal('unavailable')]),
  completedAt: Timestamp
}))

export const SyncFailed = defineEvent('o365.sync.failed', 1, Type.Object({
  syncId: Uuid,
  tenantId: TenantId,
  clientId: ClientId,
  error: Type.String(),
  willRetry: Type.Boolean(),
  at: Timestamp
}))
