import { sql } from 'drizzle-orm'
import { boolean, index, integer, jsonb, pgSchema, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core'

export const graphSync = pgSchema('graph_sync')

const at = (name: string) => timestamp(name, { withTimezone: true })

/** Tenants we were told about (tenant-auth's events): who owns them, whether to sync them, the current snapshot. */
export const tenants = graphSync.table('tenants', {
  tenantId: uuid('tenant_id').primaryKey(),
  clientId: uuid('client_id').notNull(),
  displayName: text('display_name'),
  /** 'connected' | 'disconnected' | 'consent_revoked' | 'credentials_invalid' */
  status: text('status').notNull(),
  /** When the event that set `status` happened: older events are ignored. */
  statusAt: at('status_at').notNull(),
  /** Overrides SYNC_INTERVAL_MINUTES for this tenant. */
  syncIntervalMinutes: integer('sync_interval_minutes'),
  /** The scheduler enqueues a sync once this has passed (claimed row by row, so replicas never double-schedule). */
  nextSyncAt: at('next_sync_at'),
  /** The last committed sync: the snapshot's current version (a sync starting now diffs against it). */
  currentSyncId: uuid('current_sync_id'),
  /**
   * The sync whose rows hold the current snapshot: the current sync itself after a full sync, or the
   * older sync whose rows later delta syncs changed in place (their commit applies their changes there).
   */
  snapshotId: uuid('snapshot_id'),
  /** users/delta link stored with the current snapshot. */
  deltaLink: text('delta_link'),
  lastSyncedAt: at('last_synced_at'),
  /** When the last full sync committed: an 'auto' sync runs in full again once it is SYNC_FULL_EVERY_HOURS old. */
  lastFullSyncAt: at('last_full_sync_at'),
  createdAt: at('created_at').notNull().defaultNow(),
  updatedAt: at('updated_at').notNull().defaultNow()
}, (t) => [
  index('tenants_client_idx').on(t.clientId),
  index('tenants_due_idx').on(t.status, t.nextSyncAt)
])

/** One row per sync: what it is doing, how it ended, and how far its events got. */
export const syncRuns = graphSync.table('sync_runs', {
  syncId: uuid('sync_id').primaryKey(),
  tenantId: uuid('tenant_id').notNull(),
  clientId: uuid('client_id').notNull(),
  /** 'schedule' | 'connected' | 'manual' | 'retry' */
  reason: text('reason').notNull(),
  /** 'auto' | 'full' | 'delta' as requested; `mode` is what ran. */
  requestedMode: text('requested_mode').notNull(),
  mode: text('mode'),
  /** queued → fetching → committing → publishing → completed | failed */
  phase: text('phase').notNull().default('queued'),
  /** null while running; 'completed' | 'failed' */
  outcome: text('outcome'),
  attempts: integer('attempts').notNull().default(0),
  pages: integer('pages').notNull().default(0),
  usersProcessed: integer('users_processed').notNull().default(0),
  perUserMfaRead: integer('per_user_mfa_read').notNull().default(0),
  /** SyncCounts, set at commit */
  counts: jsonb('counts'),
  /** { upserted, removed }: o365.users.* batches this sync publishes, set at commit */
  batches: jsonb('batches'),
  mfaSource: text('mfa_source'),
  /** [{ field, reason }]: data that could not be read (missing permission, no P1/P2) */
  warnings: jsonb('warnings').notNull().default(sql`'[]'::jsonb`),
  error: text('error'),
  /** The snapshot this sync started from (its diff base). */
  previousSyncId: uuid('previous_sync_id'),
  /** What every record of the snapshot was computed with (SKU names, MFA policies, ...), set at commit: a delta recomputes all records when they differ. */
  recordInputs: jsonb('record_inputs'),
  /** The users/delta link this sync ends with; becomes tenants.delta_link at commit. */
  deltaLink: text('delta_link'),
  /** { skus, upserted, removed, completed }: events already published, so a redelivered job resumes there */
  published: jsonb('published').notNull().default(sql`'{"skus":false,"upserted":0,"removed":0,"completed":false}'::jsonb`),
  requestedAt: at('requested_at').notNull().defaultNow(),
  startedAt: at('started_at'),
  committedAt: at('committed_at'),
  finishedAt: at('finished_at'),
  updatedAt: at('updated_at').notNull().defaultNow()
}, (t) => [
  index('sync_runs_tenant_idx').on(t.tenantId, t.requestedAt, t.syncId),
  index('sync_runs_phase_idx').on(t.tenantId, t.phase)
])

/** Every attempt of a sync: who ran it and when (the evidence that a tenant never had two at once). */
export const syncAttempts = graphSync.table('sync_attempts', {
  syncId: uuid('sync_id').notNull(),
  attempt: integer('attempt').notNull(),
  tenantId: uuid('tenant_id').notNull(),
  worker: text('worker').notNull(),
  startedAt: at('started_at').notNull(),
  finishedAt: at('finished_at'),
  outcome: text('outcome'),
  error: text('error')
}, (t) => [
  primaryKey({ columns: [t.syncId, t.attempt] }),
  index('sync_attempts_tenant_idx').on(t.tenantId, t.startedAt)
])

/** At most one sync per tenant across all replicas: the holder renews `expires_at` while it works. */
export const tenantLeases = graphSync.table('tenant_leases', {
  tenantId: uuid('tenant_id').primaryKey(),
  syncId: uuid('sync_id').notNull(),
  holder: text('holder').notNull(),
  acquiredAt: at('acquired_at').notNull(),
  expiresAt: at('expires_at').notNull()
})

/**
 * Users, deleted users and org contacts, keyed by sync: the rows of the tenant's current sync are
 * its snapshot; rows of a running sync are its staging area. `data` is what Graph said (normalised).
 */
export const directoryObjects = graphSync.table('directory_objects', {
  syncId: uuid('sync_id').notNull(),
  /** 'user' | 'deletedUser' | 'orgContact' */
  kind: text('kind').notNull(),
  objectId: uuid('object_id').notNull(),
  tenantId: uuid('tenant_id').notNull(),
  data: jsonb('data').notNull(),
  /** legacy per-user MFA state as last read; null = to be read (new or changed user) */
  perUserState: text('per_user_state')
}, (t) => [
  // object_id before kind: keyset pages over a sync's objects read the key's own order (no second index to keep)
  primaryKey({ columns: [t.syncId, t.objectId, t.kind] }),
  // a snapshot's deleted users and org contacts, found without reading its users (delta syncs replace them)
  index('directory_objects_others_idx').on(t.syncId, t.kind).where(sql`kind <> 'user'`),
  index('directory_objects_tenant_idx').on(t.tenantId, t.syncId)
])

/**
 * The O365User record of each of a sync's directory objects, computed once every source is staged:
 * what the events carry. A table of its own, so computing the records inserts narrow rows instead of
 * rewriting each staged row with its Graph data (about a third of the writes). Rows live and die with
 * their sync's directory_objects (deleted first), so they need no tenant column of their own.
 */
export const objectRecords = graphSync.table('object_records', {
  syncId: uuid('sync_id').notNull(),
  /** unique within a sync once a restored user's deleted twin is dropped (before records are computed) */
  objectId: uuid('object_id').notNull(),
  kind: text('kind').notNull(),
  record: jsonb('record').notNull(),
  /** o365.users.upserted batch this record goes out in; null when it did not change */
  publishBatch: integer('publish_batch')
}, (t) => [
  primaryKey({ columns: [t.syncId, t.objectId] }),
  // only records that go out in a batch: unchanged ones have none, nor do a snapshot's after an in-place apply
  index('object_records_batch_idx').on(t.syncId, t.publishBatch).where(sql`publish_batch is not null`)
])

/** The registration report as staged by a sync (joined to users when records are computed). */
export const registrations = graphSync.table('registrations', {
  syncId: uuid('sync_id').notNull(),
  userId: uuid('user_id').notNull(),
  tenantId: uuid('tenant_id').notNull(),
  isMfaRegistered: boolean('is_mfa_registered').notNull(),
  isAdmin: boolean('is_admin'),
  methods: jsonb('methods').notNull()
}, (t) => [primaryKey({ columns: [t.syncId, t.userId] }), index('registrations_tenant_idx').on(t.tenantId)])

/** Subscribed SKUs per sync (`data` is the contracts' Sku). */
export const skus = graphSync.table('skus', {
  syncId: uuid('sync_id').notNull(),
  skuId: uuid('sku_id').notNull(),
  tenantId: uuid('tenant_id').notNull(),
  data: jsonb('data').notNull()
}, (t) => [primaryKey({ columns: [t.syncId, t.skuId] }), index('skus_tenant_idx').on(t.tenantId)])

/** Objects of the previous snapshot that this sync no longer has, numbered into o365.users.removed batches. */
export const syncRemovals = graphSync.table('sync_removals', {
  syncId: uuid('sync_id').notNull(),
  objectId: uuid('object_id').notNull(),
  tenantId: uuid('tenant_id').notNull(),
  batch: integer('batch').notNull()
}, (t) => [primaryKey({ columns: [t.syncId, t.objectId] }), index('sync_removals_batch_idx').on(t.syncId, t.batch)])

/** Users a delta round removed (its `@removed` entries), until the sync's commit takes them out of the snapshot. */
export const deltaRemovedUsers = graphSync.table('delta_removed_users', {
  syncId: uuid('sync_id').notNull(),
  objectId: uuid('object_id').notNull(),
  tenantId: uuid('tenant_id').notNull()
}, (t) => [primaryKey({ columns: [t.syncId, t.objectId] }), index('delta_removed_users_tenant_idx').on(t.tenantId)])

export const tables = { tenants, syncRuns, syncAttempts, tenantLeases, directoryObjects, objectRecords, registrations, skus, syncRemovals, deltaRemovedUsers }
