import type { FastifyInstance } from 'fastify'
import { Counter } from 'prom-client'
import type { ConsumerContext } from '@m365/service-kit'
import type { ReportConfig } from '../config.js'
import type { ApplyOptions, SyncOutcome } from '../read-model/sync-staging.js'

/** What the consumers that can apply a sync share: how long it waits for its SKUs, and the note when it gave up. */
export interface SyncApply extends Required<ApplyOptions> {
  noted (outcome: SyncOutcome, sync: { syncId: string, tenantId: string }, context: ConsumerContext): void
}

export function syncApply (app: FastifyInstance): SyncApply {
  const config = app.config as ReportConfig
  const withoutSkus = new Counter({
    name: 'report_syncs_applied_without_skus_total',
    help: 'Syncs applied without their o365.skus.replaced (lost, dead-lettered or late): licence totals are an older sync\'s',
    registers: [app.metrics.registry]
  })
  return {
    skusWaitMs: config.SYNC_SKUS_WAIT_MS,
    noted (outcome, { syncId, tenantId }, { log }) {
      if (outcome !== 'applied-without-skus') return
      withoutSkus.inc()
      log.warn({ syncId, tenantId, waitedMs: config.SYNC_SKUS_WAIT_MS },
        'sync applied without its SKUs: the tenant keeps the SKUs of an older sync until newer ones arrive')
    }
  }
}
