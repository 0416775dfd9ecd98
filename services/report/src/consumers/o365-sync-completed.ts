import type { FastifyInstance } from 'fastify'
import { stepBackoff } from '@m365/bus'
import { SyncCompleted } from '@m365/contracts'
import { handleSyncCompleted } from '../read-model/sync-staging.js'

/**
 * A completion whose batches or SKUs are still on their way throws and comes back later; the last of
 * them to arrive applies the sync too, so these redeliveries are the safety net, hence the generous budget.
 */
export default async function (app: FastifyInstance): Promise<void> {
  await app.consume(SyncCompleted, {
    durable: 'report-o365-sync-completed',
    maxDeliver: 30,
    backoffMs: stepBackoff([1_000, 2_000, 5_000, 15_000, 60_000])
  }, async (event) => { await handleSyncCompleted(app.db, event) })
}
