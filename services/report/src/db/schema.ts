import {
  bigint, boolean, foreignKey, index, integer, jsonb, pgSchema, primaryKey, smallint, text, timestamp, unique, uuid
} from 'drizzle-orm/pg-core'
import { outboxTable } from '@m365/service-kit/outbox'

export const report = pgSchema('report')

const at = (name: string) => timestamp(name, { withTimezone: true })
const createdAt = () => at('created_at').notNull().defaultNow()

// ---- what report owns: clients, templates, reports, versions -------------------------------

export const clients = report.table('clients', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull(),
  createdAt: createdAt(),
  updatedAt: at('updated_at').notNull().defaultNow()
})

/** Deleted clients: events arriving for them later are ignored instead of resurrecting their data. */
export const deletedClients = report.table('deleted_clients', {
  clientId: uuid('client_id').primaryKey(),
  deletedAt: at('deleted_at').notNull()
})

export const templates = report.table('templates', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull(),
  isDefault: boolean('is_default').notNull().default(false),
  mergeMode: text('merge_mode').notNull(),
  /** [{ key, label, visible }] in order */
  columns: jsonb('columns').notNull(),
  revision: integer('revision').notNull().default(1),
  createdAt: createdAt(),
  updatedAt: at('updated_at').notNull().defaultNow()
})

export const reports = report.table('reports', {
  id: uuid('id').primaryKey(),
  clientId: uuid('client_id').notNull().references(() => clients.id, { onDelete: 'cascade' }),
  name: text('name').notNull(),
  templateId: uuid('template_id').notNull().references(() => templates.id, { onDelete: 'restrict' }),
  /** the number the last version got; raised under the row lock, so numbers have no gaps or repeats */
  lastVersionNumber: integer('last_version_number').notNull().default(0),
  createdAt: createdAt()
}, (t) => [index('reports_client_idx').on(t.clientId, t.createdAt, t.id)])

export const reportVersions = report.table('report_versions', {
  id: uuid('id').primaryKey(),
  reportId: uuid('report_id').notNull().references(() => reports.id, { onDelete: 'cascade' }),
  clientId: uuid('client_id').notNull(),
  number: integer('number').notNull(),
  /** building | ready | failed */
  status: text('status').notNull(),
  templateId: uuid('template_id').notNull(),
  templateName: text('template_name').notNull(),
  templateRevision: integer('template_revision').notNull(),
  mergeMode: text('merge_mode').notNull(),
  columns: jsonb('columns').notNull(),
  rowCount: integer('row_count'),
  licenseSummary: jsonb('license_summary'),
  mfaSummary: jsonb('mfa_summary'),
  mergeStats: jsonb('merge_stats'),
  source: jsonb('source'),
  error: text('error'),
  shared: boolean('shared').notNull().default(false),
  sharedAt: at('shared_at'),
  createdAt: createdAt(),
  builtAt: at('built_at')
}, (t) => [unique('report_versions_number_key').on(t.reportId, t.number)])

export const versionRows = report.table('version_rows', {
  versionId: uuid('version_id').notNull().references(() => reportVersions.id, { onDelete: 'cascade' }),
  rowNumber: integer('row_number').notNull(),
  /** o365:<tenant>:<user> or contact:<psa>:<connection>:<externalId>: what diff compares */
  rowKey: text('row_key').notNull(),
  displayName: text('display_name'),
  email: text('email'),
  licenses: jsonb('licenses'),
  mfaStatus: text('mfa_status'),
  matchedBy: text('matched_by'),
  /** the visible columns' values keyed by column key */
  values: jsonb('values').notNull()
}, (t) => [
  primaryKey({ columns: [t.versionId, t.rowNumber] }),
  index('version_rows_key_idx').on(t.versionId, t.rowKey)
])

/** Versions still to build: survives a crash, so a restarted process builds them (one transaction each). */
export const pendingVersions = report.table('pending_versions', {
  versionId: uuid('version_id').primaryKey().references(() => reportVersions.id, { onDelete: 'cascade' }),
  attempts: integer('attempts').notNull().default(0),
  lastError: text('last_error'),
  nextAttemptAt: at('next_attempt_at').notNull().defaultNow()
})

export const outbox = outboxTable(report)

export const processedEvents = report.table('processed_events', {
  eventId: text('event_id').primaryKey(),
  processedAt: at('processed_at').notNull().defaultNow()
})

// ---- read model fed by events ------------------------------------------------------------

export const tenants = report.table('tenants', {
  tenantId: uuid('tenant_id').primaryKey(),
  clientId: uuid('client_id').notNull(),
  displayName: text('display_name'),
  /** connected | disconnected: a disconnected tenant's data is kept but not shown */
  status: text('status').notNull(),
  changedAt: at('changed_at').notNull()
}, (t) => [index('tenants_client_idx').on(t.clientId)])

export const o365Users = report.table('o365_users', {
  tenantId: uuid('tenant_id').notNull(),
  userId: uuid('user_id').notNull(),
  clientId: uuid('client_id').notNull(),
  objectType: text('object_type').notNull(),
  displayName: text('display_name'),
  userPrincipalName: text('user_principal_name'),
  mail: text('mail'),
  otherMails: jsonb('other_mails').notNull(),
  proxyAddresses: jsonb('proxy_addresses').notNull(),
  userType: text('user_type'),
  accountEnabled: boolean('account_enabled'),
  deleted: boolean('deleted').notNull(),
  deletedAt: at('deleted_at'),
  /** [{ skuId, skuPartNumber, productName }] */
  licenses: jsonb('licenses').notNull(),
  mfa: jsonb('mfa').notNull(),
  mfaStatus: text('mfa_status').notNull(),
  /** lower-cased display name (else UPN, mail): the listing order */
  sortName: text('sort_name').notNull(),
  syncId: uuid('sync_id').notNull(),
  /** completedAt of the sync that wrote the row: an older sync applied late never overwrites it */
  syncedAt: at('synced_at').notNull()
}, (t) => [
  primaryKey({ columns: [t.tenantId, t.userId] }),
  index('o365_users_client_order_idx').on(t.clientId, t.sortName, t.tenantId, t.userId),
  index('o365_users_tenant_sync_idx').on(t.tenantId, t.syncId)
])

/**
 * Users a delta sync removed, with that sync's completedAt: an older sync applied late does not bring
 * them back. A full sync's removals need none (tenant_sync_state.full_completed_at), and it drops those
 * before it. Cleared when a newer sync writes the user again.
 */
export const o365UserRemovals = report.table('o365_user_removals', {
  tenantId: uuid('tenant_id').notNull(),
  userId: uuid('user_id').notNull(),
  clientId: uuid('client_id').notNull(),
  removedAt: at('removed_at').notNull()
}, (t) => [primaryKey({ columns: [t.tenantId, t.userId] })])

/** Every address a user can be matched on, lower-cased; rank: mail 1, upn 2, proxyAddress 3, otherMail 4. */
export const o365UserAddresses = report.table('o365_user_addresses', {
  tenantId: uuid('tenant_id').notNull(),
  userId: uuid('user_id').notNull(),
  address: text('address').notNull(),
  kind: text('kind').notNull(),
  rank: smallint('rank').notNull()
}, (t) => [
  // No key and no foreign key: a sync's apply rebuilds its users' addresses (deduplicated there) and whoever
  // deletes users deletes their addresses first. Checking both per row cost more than the rest of the insert.
  // Nothing looks an address up across users: a version's pairs start from the client's users.
  index('o365_user_addresses_user_idx').on(t.tenantId, t.userId)
])

export const o365Skus = report.table('o365_skus', {
  tenantId: uuid('tenant_id').notNull(),
  skuId: uuid('sku_id').notNull(),
  clientId: uuid('client_id').notNull(),
  skuPartNumber: text('sku_part_number').notNull(),
  productName: text('product_name').notNull(),
  capabilityStatus: text('capability_status').notNull(),
  total: integer('total').notNull(),
  assigned: integer('assigned').notNull(),
  suspended: integer('suspended').notNull(),
  warning: integer('warning').notNull()
}, (t) => [primaryKey({ columns: [t.tenantId, t.skuId] }), index('o365_skus_client_idx').on(t.clientId)])

/** The sync each tenant's data is from. */
export const tenantSyncState = report.table('tenant_sync_state', {
  tenantId: uuid('tenant_id').primaryKey(),
  clientId: uuid('client_id').notNull(),
  syncId: uuid('sync_id').notNull(),
  mode: text('mode').notNull(),
  completedAt: at('completed_at').notNull(),
  /** completedAt of the newest full sync applied: it says who exists then, so an older sync applied late changes nothing */
  fullCompletedAt: at('full_completed_at'),
  skusSyncId: uuid('skus_sync_id'),
  skusCompletedAt: at('skus_completed_at')
})

/** One row per sync seen: its SyncCompleted data once that arrived, and when it was applied. */
export const stagedSyncs = report.table('staged_syncs', {
  syncId: uuid('sync_id').primaryKey(),
  tenantId: uuid('tenant_id').notNull(),
  clientId: uuid('client_id').notNull(),
  completion: jsonb('completion'),
  receivedAt: at('received_at').notNull().defaultNow(),
  /** when the completion arrived: how long the sync has waited for its SKUs (SYNC_SKUS_WAIT_MS) */
  completionReceivedAt: at('completion_received_at'),
  appliedAt: at('applied_at')
})

/** o365.users.* batches held until their sync is complete. kind: upserted | removed */
export const stagedBatches = report.table('staged_batches', {
  syncId: uuid('sync_id').notNull().references(() => stagedSyncs.syncId, { onDelete: 'cascade' }),
  kind: text('kind').notNull(),
  batch: integer('batch').notNull(),
  payload: jsonb('payload').notNull()
}, (t) => [primaryKey({ columns: [t.syncId, t.kind, t.batch] })])

export const stagedSkus = report.table('staged_skus', {
  syncId: uuid('sync_id').primaryKey().references(() => stagedSyncs.syncId, { onDelete: 'cascade' }),
  payload: jsonb('payload').notNull()
})

export const contacts = report.table('contacts', {
  psa: text('psa').notNull(),
  connectionId: uuid('connection_id').notNull(),
  externalId: text('external_id').notNull(),
  clientId: uuid('client_id').notNull(),
  revision: bigint('revision', { mode: 'number' }).notNull(),
  /** a tombstone keeps the revision, so an older upsert arriving late stays dropped */
  deleted: boolean('deleted').notNull().default(false),
  firstName: text('first_name'),
  lastName: text('last_name'),
  primaryEmail: text('primary_email'),
  emails: jsonb('emails').notNull(),
  phone: text('phone'),
  title: text('title'),
  companyExternalId: text('company_external_id'),
  companyName: text('company_name'),
  active: boolean('active'),
  updatedAt: at('updated_at'),
  receivedAt: at('received_at').notNull().defaultNow()
}, (t) => [primaryKey({ columns: [t.psa, t.connectionId, t.externalId] }), index('contacts_client_idx').on(t.clientId)])

export const contactAddresses = report.table('contact_addresses', {
  psa: text('psa').notNull(),
  connectionId: uuid('connection_id').notNull(),
  externalId: text('external_id').notNull(),
  clientId: uuid('client_id').notNull(),
  address: text('address').notNull(),
  isPrimary: boolean('is_primary').notNull()
}, (t) => [
  primaryKey({ columns: [t.psa, t.connectionId, t.externalId, t.address] }),
  foreignKey({ columns: [t.psa, t.connectionId, t.externalId], foreignColumns: [contacts.psa, contacts.connectionId, contacts.externalId] })
    .onDelete('cascade'),
  index('contact_addresses_client_address_idx').on(t.clientId, t.address)
])
