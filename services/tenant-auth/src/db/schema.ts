import { index, integer, pgSchema, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { outboxTable } from '@m365/service-kit/outbox'

export const tenantAuth = pgSchema('tenant_auth')

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' })

export type TenantStatus = 'connected' | 'consent_revoked' | 'credentials_invalid' | 'disconnected'
export type SyncOutcome = 'completed' | 'failed'
export type CredentialType = 'client_secret' | 'certificate'

/** Our copy of report's clients (ClientCreated/ClientDeleted); a deleted one stays as a tombstone. */
export const clients = tenantAuth.table('clients', {
  clientId: uuid('client_id').primaryKey(),
  name: text('name').notNull(),
  createdAt: at('created_at').notNull(),
  deletedAt: at('deleted_at')
})

/** One row per Entra tenant: a tenant is bound to one client at a time. */
export const tenants = tenantAuth.table('tenants', {
  tenantId: uuid('tenant_id').primaryKey(),
  clientId: uuid('client_id').notNull(),
  status: text('status').$type<TenantStatus>().notNull(),
  displayName: text('display_name'),
  connectedAt: at('connected_at'),
  disconnectedAt: at('disconnected_at'),
  statusChangedAt: at('status_changed_at').notNull().defaultNow(),
  /** Microsoft's reason for the last failure (consent revoked, secret invalid, …). */
  lastError: text('last_error'),
  lastSyncAt: at('last_sync_at'),
  lastSyncOutcome: text('last_sync_outcome').$type<SyncOutcome>(),
  lastSyncError: text('last_sync_error'),
  createdAt: at('created_at').notNull().defaultNow()
}, (t) => [index('tenants_client_idx').on(t.clientId, t.tenantId)])

/**
 * Tenants of deleted clients, by id only (the client's data is purged): the MSP app may still be in
 * them, so a consent link that names no tenant must not take one (consent-service).
 */
export const releasedTenants = tenantAuth.table('released_tenants', {
  tenantId: uuid('tenant_id').primaryKey(),
  releasedAt: at('released_at').notNull()
})

/** A tenant's own app registration; the secret or private key only as AES-256-GCM ciphertext. */
export const tenantCredentials = tenantAuth.table('tenant_credentials', {
  tenantId: uuid('tenant_id').primaryKey(),
  appClientId: uuid('app_client_id').notNull(),
  credentialType: text('credential_type').$type<CredentialType>().notNull(),
  keyId: text('key_id').notNull(),
  ciphertext: text('ciphertext').notNull(),
  updatedAt: at('updated_at').notNull().defaultNow()
})

/** Admin-consent attempts, keyed by sha256 of the state nonce; completedAt makes a state single-use. */
export const connectAttempts = tenantAuth.table('connect_attempts', {
  id: text('id').primaryKey(),
  clientId: uuid('client_id').notNull(),
  requestedBy: text('requested_by').notNull(),
  tenantHint: uuid('tenant_hint'),
  createdAt: at('created_at').notNull().defaultNow(),
  expiresAt: at('expires_at').notNull(),
  completedAt: at('completed_at'),
  outcome: text('outcome').$type<'connected' | 'failed'>(),
  tenantId: uuid('tenant_id'),
  error: text('error')
}, (t) => [index('connect_attempts_client_idx').on(t.clientId)])

/** msal's token cache, one encrypted blob per app + tenant; version makes concurrent writers merge instead of overwrite. */
export const tokenCache = tenantAuth.table('token_cache', {
  partitionKey: text('partition_key').primaryKey(),
  tenantId: uuid('tenant_id').notNull(),
  keyId: text('key_id').notNull(),
  ciphertext: text('ciphertext').notNull(),
  version: integer('version').notNull(),
  updatedAt: at('updated_at').notNull().defaultNow()
}, (t) => [index('token_cache_tenant_idx').on(t.tenantId)])

/** Events written with the state change that causes them, published with their id as msgId. */
export const outbox = outboxTable(tenantAuth)
