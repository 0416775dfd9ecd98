import { SyncFailed, type EventOf } from '@m365/contracts'
import type { AnyDb } from '@m365/db'
import type { FastifyInstance } from 'fastify'
import { recordSyncOutcome } from '../tenants/tenant-repository.js'

/** Idempotent and order-tolerant: only an outcome newer than the one held is kept. */
export async function handleSyncFailed (db: AnyDb, event: EventOf<typeof SyncFailed>): Promise<void> {
  const { tenantId, clientId, at, error } = event.data
  await recordSyncOutcome(db, { tenantId, clientId, outcome: 'failed', at: new Date(at), error })
}

export default async function syncFailedConsumer (app: FastifyInstance) {
  await app.consume(SyncFailed, { durable: 'tenant-auth-o365-sync-failed' }, (event) => handleSyncFailed(app.db, event))
}
