import { sql } from 'drizzle-orm'
import { ClientDeleted, type EventOf } from '@m365/contracts'
import { queryRows, type AnyDb } from '@m365/db'
import type { FastifyInstance } from 'fastify'

/**
 * A deleted client takes its company mappings with it: those contacts are kept, unpublished (report purges the
 * client's data itself, so no events). Idempotent: a second delivery finds nothing left to change.
 */
export async function handleClientDeleted (db: AnyDb, event: EventOf<typeof ClientDeleted>): Promise<void> {
  const { clientId } = event.data
  await db.transaction(async (tx) => {
    const ids = await queryRows<{ connection_id: string }>(tx,
      sql`select distinct connection_id from contacts_ingest.company_mappings where client_id = ${clientId}`)
    // the mapping's writers exclusion (see shareConnection)
    for (const { connection_id: id } of ids.sort((a, b) => a.connection_id.localeCompare(b.connection_id))) {
      await tx.execute(sql`select 1 from contacts_ingest.psa_connections where id = ${id} for update`)
    }
    await tx.execute(sql`delete from contacts_ingest.company_mappings where client_id = ${clientId}`)
    await tx.execute(sql`update contacts_ingest.contacts set client_id = null where client_id = ${clientId}`)
  })
}

export default async function clientDeletedConsumer (app: FastifyInstance): Promise<void> {
  await app.consume(ClientDeleted, { durable: 'contacts-ingest-client-deleted' }, async (event) => { await handleClientDeleted(app.db, event) })
}
