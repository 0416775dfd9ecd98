import type { FastifyInstance } from 'fastify'
import { ContactsDeleted } from '@m365/contracts'
import { handleContactDeleted } from '../read-model/contacts.js'

export default async function (app: FastifyInstance): Promise<void> {
  await app.consume(ContactsDeleted, { durable: 'report-contacts-deleted' }, async (event) => { await handleContactDeleted(app.db, event) })
}
