import type { FastifyInstance } from 'fastify'
import { ClientDeleted } from '@m365/contracts'
import { handleClientDeleted } from '../read-model/purge-client.js'

export default async function (app: FastifyInstance): Promise<void> {
  await app.consume(ClientDeleted, { durable: 'report-client-deleted' }, async (event) => { await handleClientDeleted(app.db, event) })
}
