import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { WorkLoop } from '@m365/service-kit'
import { startBackfillWorker } from '../backfill/worker.js'
import type { ContactsIngestConfig } from '../config.js'
import { startDeliveryWorker } from '../webhooks/worker.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** nudge a background loop to run now (after storing a delivery, queueing a backfill, writing events) */
    workers: { deliveries: () => void, backfills: () => void }
  }
}

/**
 * The background loops: delivery processing, backfills and their scheduler. They start when the app is ready and stop
 * (finishing the pass in flight) before the outbox publisher (registered before them) and service-kit's bus and database.
 */
export default fp(async (app: FastifyInstance, { config }: { config: ContactsIngestConfig }) => {
  const loops: Record<'deliveries' | 'backfills' | 'scheduler', WorkLoop | undefined> = {
    deliveries: undefined, backfills: undefined, scheduler: undefined
  }
  app.decorate('workers', {
    deliveries: () => loops.deliveries?.wake(),
    backfills: () => loops.backfills?.wake()
  })
  app.addHook('onReady', async () => {
    const log = app.log
    const wakeOutbox = () => app.outbox.wake()
    loops.deliveries = startDeliveryWorker({
      db: app.db,
      clients: app.psaClients,
      connections: app.connections,
      log: log.child({ component: 'deliveries' }),
      pollMs: config.DELIVERY_POLL_MS,
      batch: config.DELIVERY_BATCH,
      concurrency: config.DELIVERY_CONCURRENCY,
      leaseMs: config.DELIVERY_LEASE_MS,
      retryBaseMs: config.DELIVERY_RETRY_BASE_MS,
      retryMaxMs: config.DELIVERY_RETRY_MAX_MS,
      maxAttempts: config.DELIVERY_MAX_ATTEMPTS,
      retentionDays: config.DELIVERY_RETENTION_DAYS,
      onChange: wakeOutbox,
      onProcessed: (psa) => app.ingestMetrics.deliveries.inc({ psa, result: 'processed' }),
      onFailed: (psa, final) => app.ingestMetrics.deliveries.inc({ psa, result: final ? 'failed' : 'retry' })
    })
    const backfill = startBackfillWorker({
      db: app.db,
      clients: app.psaClients,
      log: log.child({ component: 'backfill' }),
      pageSize: config.BACKFILL_PAGE_SIZE,
      pollMs: config.BACKFILL_POLL_MS,
      staleMs: config.BACKFILL_STALE_MS,
      intervalMinutes: config.BACKFILL_INTERVAL_MINUTES,
      schedulerTickMs: config.BACKFILL_SCHEDULER_TICK_MS,
      onChange: wakeOutbox
    })
    loops.backfills = backfill.runner
    loops.scheduler = backfill.scheduler
  })
  app.addHook('onClose', async () => {
    // the outbox plugin closes after this one, so what these loops committed still goes out
    await Promise.all([loops.deliveries?.stop(), loops.backfills?.stop(), loops.scheduler?.stop()])
  })
}, { name: 'contacts-ingest-workers', dependencies: ['service-kit', 'outbox', 'contacts-ingest-core', 'contacts-ingest-metrics'] })
