import { and, eq, inArray } from 'drizzle-orm'
import type { AnyDb } from '@m365/db'
import type { NormalizedContact } from '@m365/psa'
import { contacts } from '../db/schema.js'
import { lockContacts, shareConnection } from '../lib/contact-lock.js'
import { decide, type Decision, type Incoming } from './decide.js'
import type { AnyEvent } from './events.js'
import { clientsOf, loadContacts, writeDecision, type ConnectionRef } from './write.js'

const externalIdOf = (incoming: Incoming) => (incoming.kind === 'delete' ? incoming.externalId : incoming.contact.externalId)

/** One incoming state for one contact, in its own transaction under the contact's lock. */
export async function applyIncoming (db: AnyDb, connection: ConnectionRef, incoming: Incoming): Promise<{ decision: Decision, events: AnyEvent[] }> {
  const externalId = externalIdOf(incoming)
  return await db.transaction(async (tx) => {
    await shareConnection(tx, connection.id)
    await lockContacts(tx, connection.id, [externalId])
    const row = (await loadContacts(tx, connection.id, [externalId])).get(externalId)
    const decision = decide(row, incoming)
    const company = decision.action === 'write' ? decision.content.companyExternalId : row?.companyExternalId ?? null
    const clients = await clientsOf(tx, connection.id, [company])
    const events = await writeDecision(tx, connection, externalId, row, decision, clients)
    return { decision, events }
  })
}

export interface PageCounts { upserted: number, unchanged: number, events: number }

/**
 * A page of contacts from the PSA's REST API (backfill), in one transaction: every contact is decided like a
 * refetch and marked as seen by the run, so the run can later tombstone the ones it never saw.
 */
export async function applyRestPage (
  db: AnyDb, connection: ConnectionRef, page: readonly NormalizedContact[], observedAt: Date, runId: string
): Promise<PageCounts> {
  const byId = new Map(page.map((c) => [c.externalId, c]))
  const ids = [...byId.keys()]
  return await db.transaction(async (tx) => {
    await shareConnection(tx, connection.id)
    await lockContacts(tx, connection.id, ids)
    const rows = await loadContacts(tx, connection.id, ids)
    const clients = await clientsOf(tx, connection.id, [...byId.values()].map((c) => c.companyExternalId))
    const counts: PageCounts = { upserted: 0, unchanged: 0, events: 0 }
    for (const [id, contact] of byId) {
      const row = rows.get(id)
      const decision = decide(row, { kind: 'rest', contact, observedAt })
      const events = await writeDecision(tx, connection, id, row, decision, clients)
      counts.events += events.length
      if (decision.action === 'write') counts.upserted++
      else counts.unchanged++
    }
    await tx.update(contacts).set({ lastSeenRunId: runId })
      .where(and(eq(contacts.connectionId, connection.id), inArray(contacts.externalId, ids)))
    return counts
  })
}
