import { sql } from 'drizzle-orm'
import {
  bigint, boolean, customType, index, integer, jsonb, pgSchema, primaryKey, text, timestamp, uniqueIndex, uuid
} from 'drizzle-orm/pg-core'
import { outboxTable } from '@m365/service-kit/outbox'

export const contactsIngest = pgSchema('contacts_ingest')

export type PsaType = 'connectwise' | 'autotask' | 'halopsa'

/** How a HaloPSA webhook authenticates (the secret is the password, token or header value). */
export type HaloWebhookAuth = { type: 'basic', username: string } | { type: 'bearer' } | { type: 'header', name: string }

export interface StoredEmail { address: string, primary: boolean, sourceField: string }

const bytea = customType<{ data: Buffer, driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  toDriver: (value) => value,
  fromDriver: (value) => Buffer.from(value)
})

const ts = (name: string) => timestamp(name, { withTimezone: true })

/** One PSA instance of the MSP. Credentials and webhook secrets are sealed (service-kit's compact key ring), never plain. */
export const psaConnections = contactsIngest.table('psa_connections', {
  id: uuid('id').primaryKey(),
  psa: text('psa').$type<PsaType>().notNull(),
  name: text('name').notNull(),
  baseUrl: text('base_url').notNull(),
  credentials: text('credentials'),
  credentialsUpdatedAt: ts('credentials_updated_at'),
  webhookSecret: text('webhook_secret'),
  previousWebhookSecret: text('previous_webhook_secret'),
  previousSecretValidUntil: ts('previous_secret_valid_until'),
  secretRotatedAt: ts('secret_rotated_at'),
  webhookAuth: jsonb('webhook_auth').$type<HaloWebhookAuth>(),
  webhookDeactivatedAt: ts('webhook_deactivated_at'),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow()
}, (t) => [index('psa_connections_created_idx').on(t.createdAt, t.id)])

/** Which PSA company belongs to which of our clients (report owns clients). */
export const companyMappings = contactsIngest.table('company_mappings', {
  connectionId: uuid('connection_id').notNull().references(() => psaConnections.id, { onDelete: 'cascade' }),
  companyExternalId: text('company_external_id').notNull(),
  clientId: uuid('client_id').notNull(),
  updatedAt: ts('updated_at').notNull().defaultNow()
}, (t) => [
  primaryKey({ columns: [t.connectionId, t.companyExternalId] }),
  index('company_mappings_client_idx').on(t.clientId)
])

/**
 * The current state of every PSA contact we know, or its tombstone. `revision` counts changes (it goes into
 * every event); `client_id` is the client it is published under now (null: not published).
 */
export const contacts = contactsIngest.table('contacts', {
  connectionId: uuid('connection_id').notNull().references(() => psaConnections.id, { onDelete: 'cascade' }),
  externalId: text('external_id').notNull(),
  psa: text('psa').$type<PsaType>().notNull(),
  companyExternalId: text('company_external_id'),
  companyName: text('company_name'),
  firstName: text('first_name'),
  lastName: text('last_name'),
  emails: jsonb('emails').$type<StoredEmail[]>().notNull().default(sql`'[]'::jsonb`),
  phone: text('phone'),
  title: text('title'),
  active: boolean('active'),
  /** the PSA's own last-change time (CW _info.lastUpdated, AT lastModifiedDate, Halo ulastupdate) */
  psaUpdatedAt: ts('psa_updated_at'),
  /** Autotask SequenceNumber of the newest webhook applied */
  sourceSeq: bigint('source_seq', { mode: 'number' }),
  /** Autotask EventTime of the newest webhook applied */
  eventTime: ts('event_time'),
  deleted: boolean('deleted').notNull().default(false),
  deletedAt: ts('deleted_at'),
  revision: integer('revision').notNull().default(0),
  clientId: uuid('client_id'),
  changedAt: ts('changed_at').notNull().defaultNow(),
  lastSeenRunId: uuid('last_seen_run_id')
}, (t) => [
  primaryKey({ columns: [t.connectionId, t.externalId] }),
  index('contacts_company_idx').on(t.connectionId, t.companyExternalId),
  index('contacts_client_idx').on(t.clientId)
])

export type DeliveryStatus = 'pending' | 'done' | 'failed'

/** Verified webhook deliveries, stored before the 2xx and processed from here by the delivery worker. */
export const webhookDeliveries = contactsIngest.table('webhook_deliveries', {
  id: uuid('id').primaryKey(),
  connectionId: uuid('connection_id').notNull().references(() => psaConnections.id, { onDelete: 'cascade' }),
  psa: text('psa').$type<PsaType>().notNull(),
  dedupeKey: text('dedupe_key').notNull(),
  body: bytea('body').notNull(),
  /** content-type and how the delivery verified; never the Authorization header */
  headers: jsonb('headers').$type<Record<string, string>>().notNull(),
  status: text('status').$type<DeliveryStatus>().notNull().default('pending'),
  attempts: integer('attempts').notNull().default(0),
  /** set anew by every claim, cleared when a HaloPSA hint arms it again: only the current claimant may settle it */
  claimId: uuid('claim_id'),
  nextAttemptAt: ts('next_attempt_at').notNull().defaultNow(),
  lastError: text('last_error'),
  outcome: text('outcome'),
  receivedAt: ts('received_at').notNull().defaultNow(),
  processedAt: ts('processed_at')
}, (t) => [
  uniqueIndex('webhook_deliveries_dedupe_idx').on(t.connectionId, t.dedupeKey),
  index('webhook_deliveries_due_idx').on(t.nextAttemptAt).where(sql`status = 'pending'`),
  // a connection's failed deliveries, oldest first, and their count (failed ones are few: no cost to intake)
  index('webhook_deliveries_failed_idx').on(t.connectionId, t.receivedAt, t.id).where(sql`status = 'failed'`)
])

/** Events written in the same transaction as the change they announce, published with their id as msgId. */
export const outbox = outboxTable(contactsIngest)

export type BackfillStatus = 'queued' | 'running' | 'completed' | 'failed'

export const backfillRuns = contactsIngest.table('backfill_runs', {
  id: uuid('id').primaryKey(),
  connectionId: uuid('connection_id').notNull().references(() => psaConnections.id, { onDelete: 'cascade' }),
  trigger: text('trigger').$type<'manual' | 'schedule'>().notNull(),
  status: text('status').$type<BackfillStatus>().notNull().default('queued'),
  createdAt: ts('created_at').notNull().defaultNow(),
  startedAt: ts('started_at'),
  finishedAt: ts('finished_at'),
  heartbeatAt: ts('heartbeat_at'),
  pages: integer('pages').notNull().default(0),
  contactsSeen: integer('contacts_seen').notNull().default(0),
  upserted: integer('upserted').notNull().default(0),
  unchanged: integer('unchanged').notNull().default(0),
  tombstoned: integer('tombstoned').notNull().default(0),
  invalid: integer('invalid').notNull().default(0),
  error: text('error')
}, (t) => [
  index('backfill_runs_connection_idx').on(t.connectionId, t.createdAt),
  // one queued-or-running run per connection: a second request gets the same run
  uniqueIndex('backfill_runs_active_idx').on(t.connectionId).where(sql`status in ('queued', 'running')`)
])
