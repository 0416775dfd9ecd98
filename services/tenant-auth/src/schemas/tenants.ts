import { Type, type Static } from '@sinclair/typebox'
import { PageQuery, Problem } from '@m365/api'

const Uuid = Type.String({ format: 'uuid' })
const Timestamp = Type.String({ format: 'date-time' })
const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()])

export const TenantStatus = Type.Union([
  Type.Literal('connected'), Type.Literal('consent_revoked'), Type.Literal('credentials_invalid'), Type.Literal('disconnected')
])

export const CredentialSummary = Type.Object({
  credentialType: Type.Union([Type.Literal('client_secret'), Type.Literal('certificate')]),
  clientId: Type.String({ description: 'the app registration\'s client id' })
}, { description: 'Which app registration the tenant uses; secrets are never returned' })

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
  credentials: Type.Union([CredentialSummary, Type.Null()])
})

export const ClientParams = Type.Object({ clientId: Uuid })
export const TenantParams = Type.Object({ clientId: Uuid, tenantId: Uuid })

export const TenantListQuery = Type.Composite([PageQuery, Type.Object({ status: Type.Optional(TenantStatus) })])

export const ConnectBody = Type.Object({
  tenantId: Type.Optional(Type.String({ format: 'uuid', description: 'the customer tenant, when known: consent is then asked of that tenant only' }))
}, { additionalProperties: false })

export const ConnectStarted = Type.Object({
  consentUrl: Type.String({ description: 'open in a browser as a Global Administrator of the customer tenant' }),
  state: Type.String(),
  expiresAt: Timestamp
})

// No additionalProperties: false here: Fastify's ajv removes additional properties, and inside anyOf
// the first branch would strip the second branch's fields before it is tried.
export const CredentialsBody = Type.Union([
  Type.Object({ clientId: Uuid, clientSecret: Type.String({ minLength: 1, maxLength: 1024 }) }),
  Type.Object({
    clientId: Uuid,
    certificatePem: Type.String({ minLength: 1, maxLength: 20_000 }),
    privateKeyPem: Type.String({ minLength: 1, maxLength: 20_000 })
  })
])
export type CredentialsBody = Static<typeof CredentialsBody>

export const CallbackQuery = Type.Object({
  admin_consent: Type.Optional(Type.String({ maxLength: 20 })),
  tenant: Type.Optional(Type.String({ maxLength: 200 })),
  state: Type.Optional(Type.String({ maxLength: 500 })),
  scope: Type.Optional(Type.String({ maxLength: 2000 })),
  error: Type.Optional(Type.String({ maxLength: 200 })),
  error_description: Type.Optional(Type.String({ maxLength: 4000 }))
})

export const CallbackConnected = Type.Object({
  outcome: Type.Literal('connected'),
  clientId: Uuid,
  tenantId: Uuid,
  displayName: Nullable(Type.String()),
  alreadyConnected: Type.Boolean()
})

export const CallbackFailed = Type.Composite([Problem, Type.Object({
  outcome: Type.Literal('failed'),
  error: Type.Optional(Type.String({ description: 'Microsoft\'s error code from the redirect' })),
  errorDescription: Type.Optional(Type.String({ description: 'Microsoft\'s error_description' }))
})])

export { Problem }
