import { Type, type Static } from '@sinclair/typebox'
import { BaseConfig, EncryptionConfig } from '@m365/service-kit'

/** contacts-ingest's environment: BaseConfig plus encryption, webhook limits, workers and backfill. */
export const ContactsIngestConfig = Type.Composite([BaseConfig, EncryptionConfig, Type.Object({
  WEBHOOK_BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, default: 262_144, description: 'largest webhook body accepted (413 above)' }),
  WEBHOOK_RATE_LIMIT_MAX: Type.Integer({ minimum: 1, default: 3000, description: 'webhooks per connection per window (per replica)' }),
  WEBHOOK_RATE_LIMIT_WINDOW_MS: Type.Integer({ minimum: 1, default: 60_000, description: 'the window of WEBHOOK_RATE_LIMIT_MAX' }),
  WEBHOOK_SETTINGS_CACHE_MS: Type.Integer({
    minimum: 0,
    default: 5_000,
    description: 'how long a connection\'s webhook verification settings stay in memory (0: read every time); changes on another replica show after this at the latest'
  }),
  WEBHOOK_COMMIT_MAX_ROWS: Type.Integer({ minimum: 1, default: 200, description: 'deliveries stored by one group-commit INSERT at most' }),
  INTAKE_DB_POOL: Type.Integer({
    minimum: 0,
    default: 2,
    description: 'connections of webhook intake\'s own Postgres pool (so the workers cannot starve it); 0: share the service pool'
  }),
  SECRET_ROTATION_GRACE_SECONDS: Type.Integer({ minimum: 0, default: 86_400, description: 'how long a rotated-out webhook secret keeps verifying' }),
  CONNECTWISE_KEY_HOSTS: Type.Optional(Type.String({
    minLength: 1,
    description: 'comma-separated host names or exact origins a ConnectWise Metadata.key_url may use; default: the ConnectWise cloud hosts'
  })),
  PSA_HTTP_TIMEOUT_MS: Type.Integer({ minimum: 1, default: 15_000, description: 'per PSA REST request (refetch, backfill)' }),
  PSA_HTTP_ATTEMPTS: Type.Integer({ minimum: 1, default: 3, description: 'tries per PSA request before the delivery or run is rescheduled' }),
  PSA_HTTP_RETRY_BASE_MS: Type.Integer({ minimum: 0, default: 250, description: 'first wait between those tries without Retry-After; doubles' }),
  DELIVERY_POLL_MS: Type.Integer({ minimum: 10, default: 1000, description: 'how often the worker looks for due deliveries (a new one also wakes it)' }),
  DELIVERY_BATCH: Type.Integer({ minimum: 1, default: 50, description: 'deliveries claimed per pass' }),
  DELIVERY_CONCURRENCY: Type.Integer({ minimum: 1, default: 8, description: 'deliveries processed at once per replica' }),
  DELIVERY_LEASE_MS: Type.Integer({ minimum: 1000, default: 120_000, description: 'a claimed delivery is retried by anyone after this' }),
  DELIVERY_RETRY_BASE_MS: Type.Integer({ minimum: 1, default: 5_000, description: 'first wait before a failed delivery is tried again; doubles' }),
  DELIVERY_RETRY_MAX_MS: Type.Integer({ minimum: 1, default: 900_000, description: 'longest wait between tries' }),
  DELIVERY_MAX_ATTEMPTS: Type.Integer({ minimum: 1, default: 40, description: 'tries before a delivery is marked failed (kept, visible, not deleted)' }),
  DELIVERY_RETENTION_DAYS: Type.Integer({ minimum: 1, default: 14, description: 'processed deliveries (and their dedupe keys) are kept this long' }),
  OUTBOX_POLL_MS: Type.Integer({ minimum: 10, default: 1000, description: 'how often unsent events are looked for (a write also wakes the loop)' }),
  OUTBOX_LEASE_MS: Type.Integer({ minimum: 100, default: 30_000, description: 'outbox rows claimed by a replica that stopped are sent by another after this' }),
  OUTBOX_PUBLISH_DELAY_MS: Type.Integer({
    minimum: 0, default: 0, description: 'test only: wait this long between claiming outbox rows and publishing them'
  }),
  BACKFILL_INTERVAL_MINUTES: Type.Number({ exclusiveMinimum: 0, default: 360, description: 'each connection with mapped companies is pulled from its PSA this often' }),
  BACKFILL_SCHEDULER_TICK_MS: Type.Integer({ minimum: 10, default: 60_000, description: 'how often the scheduler looks for connections that are due' }),
  BACKFILL_POLL_MS: Type.Integer({ minimum: 10, default: 2_000, description: 'how often the worker looks for queued backfill runs' }),
  BACKFILL_STALE_MS: Type.Integer({ minimum: 1000, default: 300_000, description: 'a running backfill without heartbeat this long is taken over' }),
  BACKFILL_PAGE_SIZE: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'records per PSA request; unset: each PSA\'s largest' }))
})])
export type ContactsIngestConfig = Static<typeof ContactsIngestConfig>
