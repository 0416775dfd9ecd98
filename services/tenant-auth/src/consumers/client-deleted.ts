import { ClientDeleted, type EventOf } from '@m365/contracts'
import type { AnyDb } from '@m365/db'
import type { FastifyInstance } from 'fastify'
import { purgeClient } from '../clients/client-repository.js'

/** Idempotent: a second delivery finds nothing left to purge and no tenant to announce. */
export async function handleClientDeleted (db: AnyDb, event: EventOf<typeof ClientDeleted>): Promise<number> {
  return await purgeClient(db, event.data.clientId, new Date(event.data.deletedAt))
}

export default async function clientDeletedConsumer (app: FastifyInstance) {
  await app.consume(ClientDeleted, { durable: 'tenant-auth-client-deleted' }, async (event, { log }) => {
    const disconnected = await handleClientDeleted(app.db, event)
    if (disconnected > 0) app.outbox.wake()
    log.info({ clientId: event.data.clientId, disconnected }, 'client purged')
  })
}
