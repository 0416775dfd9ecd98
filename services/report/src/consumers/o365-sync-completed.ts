import type { FastifyInstance } from 'fastify'
import { stepBackoff } from '@m365/bus'
import { SyncCompleted } from '@m365/contracts'
import { handleSyncCompleted } from '../read-model/sync-staging.js'
import type { SyncApply } from './sync-applied.js'

/**
 * A completion whose batches or SKUs are still on their way throws and comes back later; the last of
 * them to arrive applies the sync too, so these redeliveries are the safety net, hence the generous budget
 * (about 25 min): they also apply a sync whose SKUs have not come once SYNC_SKUS_WAIT_MS (10 min) is over.
 */
export default async function (app: FastifyInstance, apply: SyncApply): Promise<void> {
  await app.consume(SyncCompleted, {
    durable: 'report-o365-sync-completed',
    maxDeliver: 30,
    backoffMs: stepBackoff([1_000, 2_000, 5_000, 15_000, 60_000])
  }, async (event, context) => { apply.noted(await handleSyncCompleted(app.db, event, apply), event.data, context) })
}
