import { Type, type Static } from '@sinclair/typebox'
import { PageQuery } from '../common.js'

// The public shapes of tenant-auth's /v1/clients/{clientId}/tenants routes (same paths, same fields).

const Uuid = Type.String({ format: 'uuid' })
const Timestamp = Type.String({ format: 'date-time' })
const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()])

export const TenantStatus = Type.Union([
  Type.Literal('connected'), Type.Literal('consent_revoked'), Type.Literal('credentials_invalid'), Type.Literal('disconnected')
])
export type TenantStatus = Static<typeof TenantStatus>

export const TenantCredentialSummary = Type.Object({
  credentialType: Type.Union([Type.Literal('client_secret'), Type.Literal('certificate')]),
  clientId: Type.String({ description: 'the app registration\'s client id' })
}, { description: 'Which app registration the tenant uses; secrets are never returned' })
export type TenantCredentialSummary = Static<typeof TenantCredentialSummary>

export const Tenant = Type.Object({
  tenantId: Uuid,
  clientId: Uuid,
  status: TenantStatus,
  displayName: Nullable(Type.String()),
  connectedAt: Nullable(Timestamp),
  disconnectedAt: Nullable(Timestamp),
  statusChangedAt: Timestamp,
  lastError: Nullable(Type.String({ description: 'Microsoft\'s reason for the last failure' })),
  lastSyncAt: Nullable(Timestamp),
  lastSyncOutcome: Type.Union([Type.Literal('completed'), Type.Literal('failed'), Type.Null()]),
  lastSyncError: Nullable(Type.String()),
  credentials: Type.Union([TenantCredentialSummary, Type.Null()])
})
export type Tenant = Static<typeof Tenant>

export const TenantParams = Type.Object({ clientId: Uuid, tenantId: Uuid })
export type TenantParams = Static<typeof TenantParams>

export const TenantListQuery = Type.Composite([PageQuery, Type.Object({ status: Type.Optional(TenantStatus) })])
export type TenantListQuery = Static<typeof TenantListQuery>

export const TenantConnectBody = Type.Object({
  tenantId: Type.Optional(Type.String({ format: 'uuid', description: 'the customer tenant, when known: consent is then asked of that tenant only' }))
}, { additionalProperties: false })
export type TenantConnectBody = Static<typeof TenantConnectBody>

export const TenantConnectStarted = Type.Object({
  consentUrl: Type.String({ description: 'open in a browser as a Global Administrator of the customer tenant' }),
  state: Type.String(),
  expiresAt: Timestamp
})
export type TenantConnectStarted = Static<typeof TenantConnectStarted>

/** The tenant's own app registration: a client secret, or a certificate with its private key. Write-only. */
export const TenantCredentialsBody = Type.Union([
  Type.Object({ clientId: Uuid, clientSecret: Type.String({ minLength: 1, maxLength: 1024 }) }, { additionalProperties: false }),
  Type.Object({
    clientId: Uuid,
    certificatePem: Type.String({ minLength: 1, maxLength: 20_000 }),
    privateKeyPem: Type.String({ minLength: 1, maxLength: 20_000 })
  }, { additionalProperties: false })
])
export type TenantCredentialsBody = Static<typeof TenantCredentialsBody>
