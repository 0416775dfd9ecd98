import { Type, type Static } from '@sinclair/typebox'
import { BaseConfig, EncryptionConfig } from '@m365/service-kit'

/** contacts-ingest's environment: BaseConfig plus encryption, webhook limits, workers and backfill. */
export const ContactsIngestConfig = Type.Composite([BaseConfig, EncryptionConfig, Type.Object({
  WEBHOOK_BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, default: 262_144 }),
  WEBHOOK_RATE_LIMIT_MAX: Type.Integer({ minimum: 1, default: 3000, description: 'webhooks per connection per window (per replica)' }),
  WEBHOOK_RATE_LIMIT_WINDOW_MS: Type.Integer({ minimum: 1, default: 60_000 }),
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
  PSA_HTTP_TIMEOUT_MS: Type.Integer({ minimum: 1, default: 15_000 }),
  PSA_HTTP_ATTEMPTS: Type.Integer({ minimum: 1, default: 3, description: 'tries per PSA request before the delivery or run is rescheduled' }),
  PSA_HTTP_RETRY_BASE_MS: Type.Integer({ minimum: 0, default: 250 }),
  DELIVERY_POLL_MS: Type.Integer({ minimum: 10, default: 1000 }),
  DELIVERY_BATCH: Type.Integer({ minimum: 1, default: 50 }),
  DELIVERY_CONCURRENCY: Type.Integer({ minimum: 1, default: 8 }),
  DELIVERY_LEASE_MS: Type.Integer({ minimum: 1000, default: 120_000, description: 'a claimed delivery is retried by anyone after this' }),
  DELIVERY_RETRY_BASE_MS: Type.Integer({ minimum: 1, default: 5_000 }),
  DELIVERY_RETRY_MAX_MS: Type.Integer({ minimum: 1, default: 900_000 }),
  DELIVERY_MAX_ATTEMPTS: Type.Integer({ minimum: 1, default: 40 }),
  DELIVERY_RETENTION_DAYS: Type.Integer({ minimum: 1, default: 14, description: 'processed deliveries (and their dedupe keys) are kept this long' }),
  OUTBOX_POLL_MS: Type.Integer({ minimum: 10, default: 1000 }),
  OUTBOX_LEASE_MS: Type.Integer({ minimum: 100, default: 30_000 }),
  OUTBOX_PUBLISH_DELAY_MS: Type.Integer({
    minimum: 0, default: 0, description: 'test only: wait this long between claiming outbox rows and publishing them'
  }),
  BACKFILL_INTERVAL_MINUTES: Type.Number({ exclusiveMinimum: 0, default: 360 }),
  BACKFILL_SCHEDULER_TICK_MS: Type.Integer({ minimum: 10, default: 60_000 }),
  BACKFILL_POLL_MS: Type.Integer({ minimum: 10, default: 2_000 }),
  BACKFILL_STALE_MS: Type.Integer({ minimum: 1000, default: 300_000, description: 'a running backfill without heartbeat this long is taken over' }),
  BACKFILL_PAGE_SIZE: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 }))
})])
export type ContactsIngestConfig = Static<typeof ContactsIngestConfig>
