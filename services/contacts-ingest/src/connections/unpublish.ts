import { and, asc, eq, gt, isNotNull } from 'drizzle-orm'
import type { AnyDb } from '@m365/db'
import { enqueueEvents } from '@m365/service-kit/outbox'
import { transition, type AnyEvent } from '../contacts/events.js'
import { contacts, outbox } from '../db/schema.js'

const CHUNK = 500

/**
 * Tells consumers to drop every contact of a connection they hold (it is about to be deleted): a ContactsDeleted
 * per published contact, in the caller's transaction (which holds the connection exclusively).
 */
export async function unpublishConnection (tx: AnyDb, connectionId: string): Promise<number> {
  let after = ''
  let total = 0
  for (;;) {
    const rows = await tx.select().from(contacts)
      .where(and(eq(contacts.connectionId, connectionId), isNotNull(contacts.clientId), gt(contacts.externalId, after)))
      .orderBy(asc(contacts.externalId)).limit(CHUNK)
    const events: AnyEvent[] = []
    for (const row of rows) {
      const gone = { ...row, deleted: true, deletedAt: new Date(), revision: row.revision + 1 }
      events.push(...transition(gone, row.clientId, null).events)
    }
    await enqueueEvents(tx, outbox, events)
    total += events.length
    if (rows.length < CHUNK) return total
    after = rows[rows.length - 1]?.externalId ?? after
  }
}
