import { Type, type Static } from '@sinclair/typebox'
import { defineEvent } from '../define.js'
import { ClientId, TenantId, Timestamp, Uuid } from './common.js'

/** Events carry at most this many records, so a 200,000-user tenant is never one message. */
export const MAX_BATCH = 500

export const MfaStatus = Type.Union([
  Type.Literal('Enabled'), Type.Literal('Disabled'), Type.Literal('N/A'), Type.Literal('Unknown')
])
export type MfaStatus = Static<typeof MfaStatus>

/** What the admin portal shows for legacy per-user MFA. */
export const PerUserMfaState = Type.Union([
  Type.Literal('disabled'), Type.Literal('enabled'), Type.Literal('enforced'), Type.Literal('unknown')
])
export type PerUserMfaState = Static<typeof PerUserMfaState>

export const Coverage = Type.Union([Type.Literal('covered'), Type.Literal('not_covered'), Type.Literal('unknown')])

export const UserMfa = Type.Object({
  status: MfaStatus,
  /** Why the status is what it is when that is not obvious, e.g. why it is Unknown. */
  reason: Type.Union([Type.String(), Type.Null()]),
  registered: Type.Union([Type.Boolean(), Type.Null()]),
  methods: Type.Array(Type.String()),
  perUserState: PerUserMfaState,
  securityDefaults: Coverage,
  conditionalAccess: Coverage,
  /** One plain sentence where the admin portal's view and ours differ; null when they agree. */
  explanation: Type.Union([Type.String(), Type.Null()])
})
export type UserMfa = Static<typeof UserMfa>

export const AssignedLicense = Type.Object({
  skuId: Uuid,
  skuPartNumber: Type.String(),
  productName: Type.String()
})

export const O365User = Type.Object({
  id: Uuid,
  objectType: Type.Union([Type.Literal('user'), Type.Literal('orgContact')]),
  displayName: Type.Union([Type.String(), Type.Null()]),
  userPrincipalName: Type.Union([Type.String(), Type.Null()]),
  mail: Type.Union([Type.String(), Type.Null()]),
  otherMails: Type.Array(Type.String()),
  proxyAddresses: Type.Array(Type.String()),
  userType: Type.Union([Type.Literal('Member'), Type.Literal('Guest'), Type.Null()]),
  accountEnabled: Type.Union([Type.Boolean(), Type.Null()]),
  deleted: Type.Boolean(),
  deletedAt: Type.Union([Timestamp, Type.Null()]),
  licenses: Type.Array(AssignedLicense),
  mfa: UserMfa
})
export type O365User = Static<typeof O365User>

export const Sku = Type.Object({
  skuId: Uuid,
  skuPartNumber: Type.String(),
  productName: Type.String(),
  capabilityStatus: Type.String(),
  /** prepaidUnits.enabled */
  total: Type.Integer({ minimum: 0 }),
  /** consumedUnits */
  assigned: Type.Integer({ minimum: 0 }),
  suspended: Type.Integer({ minimum: 0 }),
  warning: Type.Integer({ minimum: 0 })
})
export type Sku = Static<typeof Sku>

const BatchHeader = {
  syncId: Uuid,
  tenantId: TenantId,
  clientId: ClientId,
  /** 1-based position of this batch in the sync; the event id is `${syncId}:${subject}:${batch}`. */
  batch: Type.Integer({ minimum: 1 })
}

/** Users (and org contacts) created or changed by a sync. A full sync sends every record. */
export const O365UsersUpserted = defineEvent('o365.users.upserted', 1, Type.Object({
  ...BatchHeader,
  users: Type.Array(O365User, { maxItems: MAX_BATCH })
}))

/** Records gone from the tenant since the previous snapshot (delta @removed, or absent from a full sync). */
export const O365UsersRemoved = defineEvent('o365.users.removed', 1, Type.Object({
  ...BatchHeader,
  userIds: Type.Array(Uuid, { maxItems: MAX_BATCH })
}))

/** The tenant's subscribed SKUs as of the sync: replaces the previous list. */
export const O365SkusReplaced = defineEvent('o365.skus.replaced', 1, Type.Object({
  syncId: Uuid,
  tenantId: TenantId,
  clientId: ClientId,
  skus: Type.Array(Sku),
  at: Timestamp
}))
