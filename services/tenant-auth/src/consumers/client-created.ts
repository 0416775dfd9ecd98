import { ClientCreated, type EventOf } from '@m365/contracts'
import type { AnyDb } from '@m365/db'
import type { FastifyInstance } from 'fastify'
import { upsertClient } from '../clients/client-repository.js'

/** Idempotent: an upsert keyed by client id (a redelivery writes the same row). */
export async function handleClientCreated (db: AnyDb, event: EventOf<typeof ClientCreated>): Promise<void> {
  await upsertClient(db, { clientId: event.data.clientId, name: event.data.name, createdAt: new Date(event.data.createdAt) })
}

export default async function clientCreatedConsumer (app: FastifyInstance) {
  await app.consume(ClientCreated, { durable: 'tenant-auth-client-created' }, (event) => handleClientCreated(app.db, event))
}
