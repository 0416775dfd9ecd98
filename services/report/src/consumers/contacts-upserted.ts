import type { FastifyInstance } from 'fastify'
import { ContactsUpserted } from '@m365/contracts'
import { handleContactUpserted } from '../read-model/contacts.js'

export default async function (app: FastifyInstance): Promise<void> {
  await app.consume(ContactsUpserted, { durable: 'report-contacts-upserted' }, async (event) => { await handleContactUpserted(app.db, event) })
}
