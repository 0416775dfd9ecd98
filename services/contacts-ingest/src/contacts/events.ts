import { ContactsDeleted, ContactsUpserted, createEvent, type Contact, type EventContract, type EventOf } from '@m365/contracts'
import type { ContactRow } from './state.js'

export type AnyEvent = EventOf<EventContract>

export function eventContact (row: ContactRow): Contact {
  return {
    psa: row.psa,
    connectionId: row.connectionId,
    externalId: row.externalId,
    companyExternalId: row.companyExternalId,
    firstName: row.firstName,
    lastName: row.lastName,
    emails: row.emails,
    phone: row.phone,
    title: row.title,
    companyName: row.companyName,
    active: row.active,
    updatedAt: row.psaUpdatedAt?.toISOString() ?? null
  }
}

/**
 * The events that take consumers from `publishedTo` (the client they hold the contact under, or null) to `row`
 * (its new state, revision already counted) under `target` (the client its company maps to now, or null).
 * Returns them with the client the contact is published under afterwards.
 */
export function transition (row: ContactRow, publishedTo: string | null, target: string | null): { clientId: string | null, events: AnyEvent[] } {
  if (!row.deleted && target !== null) {
    return { clientId: target, events: [createEvent(ContactsUpserted, { clientId: target, revision: row.revision, contact: eventContact(row) })] }
  }
  if (publishedTo === null) return { clientId: null, events: [] }
  const deleted = createEvent(ContactsDeleted, {
    clientId: publishedTo,
    revision: row.revision,
    psa: row.psa,
    connectionId: row.connectionId,
    externalId: row.externalId,
    deletedAt: (row.deletedAt ?? new Date()).toISOString()
  })
  return { clientId: null, events: [deleted] }
}
