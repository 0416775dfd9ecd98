import { Type } from '@sinclair/typebox'
import { defineEvent } from '../define.js'
import { ClientId, TenantId, Timestamp } from './common.js'

export const TenantConnected = defineEvent('tenant.connected', 1, Type.Object({
  clientId: ClientId,
  tenantId: TenantId,
  displayName: Type.Optional(Type.String()),
  connectedAt: Timestamp
}))

export const TenantDisconnected = defineEvent('tenant.disconnected', 1, Type.Object({
  clientId: ClientId,
  tenantId: TenantId,
  disconnectedAt: Timestamp
}))

export const TenantConsentRevoked = defineEvent('tenant.consent_revoked', 1, Type.Object({
  clientId: ClientId,
  tenantId: TenantId,
  status: Type.Union([Type.Literal('consent_revoked'), Type.Literal('credentials_invalid')]),
  /** Microsoft's error text, e.g. "AADSTS65001: The user or administrator has not consented…". */
  reason: Type.String(),
  at: Timestamp
}))
