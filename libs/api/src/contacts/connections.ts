import { Type, type Static } from '@sinclair/typebox'

const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()])
const DateTime = Type.String({ format: 'date-time' })

export const PsaType = Type.Union([Type.Literal('connectwise'), Type.Literal('autotask'), Type.Literal('halopsa')], {
  description: 'ConnectWise PSA, Autotask or HaloPSA'
})
export type PsaType = Static<typeof PsaType>

const Text = (description: string, maxLength = 500) => Type.String({ minLength: 1, maxLength, description })

/**
 * API credentials for backfill and refetch; write-only (encrypted at rest, never returned). Which fields a PSA needs:
 * ConnectWise `companyId`, `publicKey`, `privateKey`, `clientId`; Autotask `integrationCode`, `username`, `secret`
 * (`impersonationResourceId` optional); HaloPSA `clientId`, `clientSecret` (`tenant`, `scope`, `authUrl` optional).
 */
export const PsaCredentials = Type.Object({
  companyId: Type.Optional(Text('ConnectWise: the PSA login company id')),
  publicKey: Type.Optional(Text('ConnectWise: API member public key')),
  privateKey: Type.Optional(Text('ConnectWise: API member private key')),
  clientId: Type.Optional(Text('ConnectWise: integrator clientId GUID; HaloPSA: API application client id')),
  integrationCode: Type.Optional(Text('Autotask: ApiIntegrationCode')),
  username: Type.Optional(Text('Autotask: API user name')),
  secret: Type.Optional(Text('Autotask: API user secret')),
  impersonationResourceId: Type.Optional(Type.Integer({ minimum: 1, description: 'Autotask: ImpersonationResourceId' })),
  clientSecret: Type.Optional(Text('HaloPSA: API application client secret')),
  tenant: Type.Optional(Text('HaloPSA (hosted): ?tenant= of the token request', 200)),
  scope: Type.Optional(Text('HaloPSA: token scope (default all)', 200)),
  authUrl: Type.Optional(Type.String({ format: 'uri', pattern: '^https?://', description: 'HaloPSA: auth server (default {baseUrl}/auth)' }))
}, { additionalProperties: false })
export type PsaCredentials = Static<typeof PsaCredentials>

/** HaloPSA only: how Halo authenticates its webhook; the secret (password, token or header value) is `webhookSecret`. */
export const HaloWebhookAuth = Type.Object({
  type: Type.Union([Type.Literal('basic'), Type.Literal('bearer'), Type.Literal('header')]),
  username: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: '^[^:]+$', description: 'basic: the user name Halo sends' })),
  headerName: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9-]+$', description: 'header: the header Halo sends' }))
}, { additionalProperties: false })
export type HaloWebhookAuth = Static<typeof HaloWebhookAuth>

const WebhookSecret = Type.String({
  minLength: 10, maxLength: 200, description: 'Autotask SecretKey or HaloPSA password/token; write-only (ConnectWise signs with keys of its own)'
})

export const PsaConnectionCreate = Type.Object({
  psa: PsaType,
  name: Text('a name for people', 200),
  baseUrl: Type.String({
    format: 'uri',
    pattern: '^https?://',
    maxLength: 500,
    description: 'ConnectWise: `https://{apiHost}/{codebase}apis/3.0`; Autotask: the zone URL (`…/ATServicesRest`); HaloPSA: the resource server'
  }),
  credentials: Type.Optional(PsaCredentials),
  webhookSecret: Type.Optional(WebhookSecret),
  webhookAuth: Type.Optional(HaloWebhookAuth)
}, { additionalProperties: false })
export type PsaConnectionCreate = Static<typeof PsaConnectionCreate>

export const PsaConnectionPatch = Type.Object({
  name: Type.Optional(Text('a name for people', 200)),
  baseUrl: Type.Optional(PsaConnectionCreate.properties.baseUrl),
  credentials: Type.Optional(PsaCredentials),
  webhookAuth: Type.Optional(HaloWebhookAuth)
}, { additionalProperties: false })
export type PsaConnectionPatch = Static<typeof PsaConnectionPatch>

/** A PSA connection as the API shows it: never a credential or secret, only whether one is set. */
export const PsaConnection = Type.Object({
  id: Type.String({ format: 'uuid' }),
  psa: PsaType,
  name: Type.String(),
  baseUrl: Type.String(),
  webhookPath: Type.String({ description: 'where the PSA posts: POST {public base}{webhookPath}' }),
  hasCredentials: Type.Boolean(),
  credentialsUpdatedAt: Nullable(DateTime),
  hasWebhookSecret: Type.Boolean(),
  secretRotatedAt: Nullable(DateTime),
  previousSecretValidUntil: Nullable(Type.String({ format: 'date-time', description: 'the rotated-out secret verifies until then' })),
  webhookAuth: Type.Union([HaloWebhookAuth, Type.Null()]),
  webhookDeactivatedAt: Nullable(Type.String({ format: 'date-time', description: 'when Autotask said (signed) it deactivated the webhook' })),
  mappedCompanies: Type.Integer({ minimum: 0 }),
  failedDeliveries: Type.Integer({
    minimum: 0, description: 'webhook deliveries that failed for good (GET …/deliveries lists them, POST …/deliveries/retry tries them again)'
  }),
  createdAt: DateTime,
  updatedAt: DateTime
})
export type PsaConnection = Static<typeof PsaConnection>

export const SecretRotate = Type.Object({
  webhookSecret: Type.Optional(WebhookSecret),
  graceSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 30 * 86_400, description: 'how long the old secret keeps verifying (default 24 h)' }))
}, { additionalProperties: false })
export type SecretRotate = Static<typeof SecretRotate>

export const SecretRotated = Type.Object({
  connection: PsaConnection,
  webhookSecret: Type.Optional(Type.String({ description: 'only when the service generated the secret: shown this once, never again' }))
})
export type SecretRotated = Static<typeof SecretRotated>
