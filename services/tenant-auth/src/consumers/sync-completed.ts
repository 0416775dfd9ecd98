import { SyncCompleted, type EventOf } from '@m365/contracts'
import type { AnyDb } from '@m365/db'
import type { FastifyInstance } from 'fastify'
import { recordSyncOutcome } from '../tenants/tenant-repository.js'

/** Idempotent and order-tolerant: only an outcome newer than the one held is kept. */
export async function handleSyncCompleted (db: AnyDb, event: EventOf<typeof SyncCompleted>): Promise<void> {
  const { tenantId, clientId, completedAt } = event.data
  await recordSyncOutcome(db, { tenantId, clientId, outcome: 'completed', at: new Date(completedAt) })
}

export default async function syncCompletedConsumer (app: FastifyInstance) {
  await app.consume(SyncCompleted, { durable: 'tenant-auth-o365-sync-completed' }, (event) => handleSyncCompleted(app.db, event))
}
