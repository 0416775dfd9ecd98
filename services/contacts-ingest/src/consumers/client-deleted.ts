import { sql } from 'drizzle-orm'
import { ClientDeleted, type EventOf } from '@m365/contracts'
import { queryRows, type AnyDb } from '@m365/db'
import type { FastifyInstance } from 'fastify'
import { connectionLockKey } from '../lib/contact-lock.js'

/**
 * A deleted client takes its company mappings with it: those contacts are kept, unpublished (report purges the
 * client's data itself, so no events). Idempotent: a second delivery finds nothing left to change.
 */
export async function handleClientDeleted (db: AnyDb, event: EventOf<typeof ClientDeleted>): Promise<void> {
  const { clientId } = event.data
  await db.transaction(async (tx) => {
    const ids = await queryRows<{ connection_id: string }>(tx,
      sql`select distinct connection_id from contacts_ingest.company_mappings where client_id = ${clientId}`)
    // like a mapping change: no contact of these connections is written meanwhile (see shareConnection)
    const keys = ids.map((r) => connectionLockKey(r.connection_id)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    for (const key of keys) await tx.execute(sql`select pg_advisory_xact_lock(${String(key)}::bigint)`)
    await tx.execute(sql`delete from contacts_ingest.company_mappings where client_id = ${clientId}`)
    await tx.execute(sql`update contacts_ingest.contacts set client_id = null where client_id = ${clientId}`)
  })
}

export default async function clientDeletedConsumer (app: FastifyInstance): Promise<void> {
  await app.consume(ClientDeleted, { durable: 'contacts-ingest-client-deleted' }, async (event) => { await handleClientDeleted(app.db, event) })
}
