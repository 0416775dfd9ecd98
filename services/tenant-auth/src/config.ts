import { Type, type Static } from '@sinclair/typebox'
import { BaseConfig, EncryptionConfig } from '@m365/service-kit'

/** tenant-auth's environment: BaseConfig plus the identity platform, the MSP app and the key ring. */
export const TenantAuthConfig = Type.Composite([BaseConfig, EncryptionConfig, Type.Object({
  AUTHORITY_HOST: Type.String({
    pattern: '^https://[^/?#]+$',
    default: 'https://login.microsoftonline.com',
    errorMessage: 'must be an https:// origin without a path',
    description: 'the Microsoft identity platform (admin consent and tokens)'
  }),
  GRAPH_BASE_URL: Type.String({
    pattern: '^https://', default: 'https://graph.microsoft.com', errorMessage: 'must be an https:// URL', description: 'Microsoft Graph, to check a tenant after consent'
  }),
  AZURE_CLIENT_ID: Type.Optional(Type.String({
    pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
    errorMessage: 'must be the app registration\'s GUID',
    description: 'the MSP\'s multi-tenant app registration; unset: only tenants with their own app credentials connect'
  })),
  AZURE_TENANT_ID: Type.Optional(Type.String({
    pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
    errorMessage: 'must be the GUID of the MSP app\'s home tenant',
    description: 'the MSP app\'s home tenant: connected only by an attempt that names it'
  })),
  AZURE_CLIENT_SECRET: Type.Optional(Type.String({ minLength: 1, description: 'the MSP app\'s client secret (or AZURE_CLIENT_CERTIFICATE_PATH)' })),
  AZURE_CLIENT_CERTIFICATE_PATH: Type.Optional(Type.String({
    minLength: 1, description: 'PEM file with the MSP app\'s certificate and its private key, instead of AZURE_CLIENT_SECRET'
  })),
  PUBLIC_BASE_URL: Type.String({
    pattern: '^https?://[^?#]+$',
    default: 'http://localhost:3000',
    errorMessage: 'must be an http(s) URL (the gateway as browsers reach it)',
    description: 'base of the admin-consent redirect URI registered with the app'
  }),
  GRAPH_CA_FILE: Type.Optional(Type.String({ minLength: 1, description: 'PEM file of one more CA to trust for the identity platform and Graph' })),
  GRAPH_CA_PEM: Type.Optional(Type.String({ minLength: 1, description: 'the same CA as PEM text' })),
  CONNECT_STATE_TTL_SECONDS: Type.Integer({ minimum: 1, default: 600, description: 'how long an admin-consent link stays valid' }),
  CONSENT_CONFIRM_TIMEOUT_MS: Type.Integer({ minimum: 0, default: 120_000, description: 'how long the callback retries while a fresh consent replicates' }),
  CONSENT_RETRY_INITIAL_MS: Type.Integer({ minimum: 1, default: 1_000, description: 'first wait between those retries; doubles' }),
  OUTBOX_POLL_MS: Type.Integer({ minimum: 10, default: 1_000, description: 'how often unsent events are looked for (a write also wakes the loop)' })
})])
export type TenantAuthConfig = Static<typeof TenantAuthConfig>
