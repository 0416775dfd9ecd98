import type { FastifyInstance } from 'fastify'
import { SyncRequested } from '@m365/contracts'
import type { GraphSyncConfig } from '../config.js'
import { jobBackoff } from '../sync/enqueue.js'

/** The work queue: every replica shares the durable, each job runs on one of them. */
export default async function syncRequestedConsumer (app: FastifyInstance, opts: { config: GraphSyncConfig }) {
  const { config } = opts
  const subscription = await app.consume(SyncRequested, {
    durable: 'graph-sync-sync-requested',
    concurrency: config.SYNC_CONCURRENCY,
    maxDeliver: config.SYNC_MAX_DELIVER,
    ackWaitMs: config.SYNC_ACK_WAIT_MS,
    backoffMs: jobBackoff(config.SYNC_RETRY_BASE_MS)
  }, (event, { deliveryCount, log }) => app.syncJobs.handle(event, { deliveryCount }, log))
  // Interrupt running syncs first, so closing does not wait for them to finish.
  app.addHook('onClose', async () => {
    app.syncJobs.close()
    await subscription.close()
  })
}
