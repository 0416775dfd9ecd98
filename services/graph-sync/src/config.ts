import { Type, type Static } from '@sinclair/typebox'
import { BaseConfig } from '@m365/service-kit'

/** graph-sync's environment: BaseConfig plus Graph access, the scheduler and the job settings. */
export const GraphSyncConfig = Type.Composite([BaseConfig, Type.Object({
  GRAPH_BASE_URL: Type.String({ pattern: '^https://', default: 'https://graph.microsoft.com', errorMessage: 'must be an https:// URL', description: 'Microsoft Graph' }),
  GRAPH_CA_FILE: Type.Optional(Type.String({ minLength: 1, description: 'PEM file of one more CA to trust for Graph (the simulator)' })),
  GRAPH_CA_PEM: Type.Optional(Type.String({ minLength: 1, description: 'the same CA as PEM text' })),
  GRAPH_MAX_CONCURRENCY: Type.Integer({ minimum: 1, default: 4, description: 'Graph requests in flight per tenant (plus one for the registration report)' }),
  GRAPH_PER_USER_CONCURRENCY: Type.Integer({ minimum: 1, default: 3, description: 'JSON batches of 20 per-user MFA reads in flight per tenant (within GRAPH_MAX_CONCURRENCY)' }),
  GRAPH_REPORT_REQUESTS_PER_10S: Type.Integer({ minimum: 1, default: 5, description: "registration-report requests per tenant per 10 s (Entra's documented limit is 5)" }),
  GRAPH_PAGE_SIZE: Type.Optional(Type.Integer({ minimum: 1, maximum: 999, description: '$top / odata.maxpagesize; unset: the largest each API allows' })),
  GRAPH_RETRY_MAX_ATTEMPTS: Type.Integer({ minimum: 1, default: 6, description: 'tries of one Graph request (throttled, unavailable, timed out), the first included' }),
  GRAPH_RETRY_BASE_MS: Type.Integer({ minimum: 1, default: 1_000, description: 'backoff without Retry-After: a random wait up to this, doubling per try' }),
  GRAPH_RETRY_MAX_DELAY_MS: Type.Integer({ minimum: 1, default: 60_000, description: 'longest such backoff' }),
  GRAPH_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 60_000, description: 'per Graph request attempt' }),
  TOKEN_REQUEST_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 15_000, description: 'how long a token request to tenant-auth (NATS request/reply) may take' }),
  TOKEN_RENEW_BEFORE_SECONDS: Type.Integer({ minimum: 0, default: 300, description: 'a cached token is renewed this long before it expires' }),
  SYNC_INTERVAL_MINUTES: Type.Integer({ minimum: 1, default: 60, description: 'scheduler period per tenant (tenants.sync_interval_minutes overrides)' }),
  SYNC_FULL_EVERY_HOURS: Type.Integer({ minimum: 0, default: 24, description: "an 'auto' sync runs in full once the tenant's last full sync is this old (0: never); per-user MFA changes only show in a full sync" }),
  SYNC_CONCURRENCY: Type.Integer({ minimum: 1, default: 4, description: 'sync jobs this process runs at once' }),
  SYNC_MAX_ATTEMPTS: Type.Integer({ minimum: 1, default: 5, description: 'attempts of one sync before it fails for good' }),
  SYNC_MAX_DELIVER: Type.Integer({ minimum: 2, default: 50, description: 'deliveries of one job (busy-tenant retries included) before it gives up' }),
  SYNC_RETRY_BASE_MS: Type.Integer({ minimum: 1, default: 30_000, description: 'first redelivery delay of a failed or busy job; doubles, capped at 10 min' }),
  SYNC_ACK_WAIT_MS: Type.Integer({ minimum: 100, default: 30_000, description: 'a job of a dead worker is redelivered after this' }),
  SYNC_LEASE_TTL_MS: Type.Integer({ minimum: 100, default: 60_000, description: 'a tenant lease not renewed for this long can be taken over' }),
  SYNC_PROGRESS_EVERY_PAGES: Type.Integer({ minimum: 1, default: 5, description: 'a sync\'s progress (GET /v1/syncs/{id}, o365.sync.progress) is written every this many pages' }),
  SCHEDULER_ENABLED: Type.Boolean({ default: true, description: 'false: this replica schedules no syncs (it still runs the sync jobs it is given)' }),
  SCHEDULER_TICK_MS: Type.Integer({ minimum: 10, default: 30_000, description: 'how often the scheduler looks for tenants that are due' })
})])
export type GraphSyncConfig = Static<typeof GraphSyncConfig>
