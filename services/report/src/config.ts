import { Type, type Static } from '@sinclair/typebox'
import { BaseConfig } from '@m365/service-kit'
import { SYNC_SKUS_WAIT_MS } from './read-model/sync-staging.js'

export const ReportConfig = Type.Composite([BaseConfig, Type.Object({
  OUTBOX_POLL_MS: Type.Integer({ minimum: 10, default: 1_000, description: 'how often unsent events are looked for (a write also wakes the loop)' }),
  VERSION_BUILD_POLL_MS: Type.Integer({ minimum: 10, default: 5_000, description: 'how often pending report versions are looked for' }),
  VERSION_BUILD_MAX_ATTEMPTS: Type.Integer({ minimum: 1, default: 5, description: 'failed builds of one version before it is marked failed' }),
  SYNC_SKUS_WAIT_MS: Type.Integer({
    minimum: 0,
    default: SYNC_SKUS_WAIT_MS,
    description: 'how long a sync whose users are all in waits for its SKUs before it is applied with the SKUs held (under the completion\'s redelivery budget, 25 min)'
  }),
  HOUSEKEEPING_INTERVAL_MS: Type.Integer({ minimum: 1_000, default: 600_000, description: 'how often sent outbox rows, old event ids and stale staged syncs are pruned' })
})])
export type ReportConfig = Static<typeof ReportConfig>
