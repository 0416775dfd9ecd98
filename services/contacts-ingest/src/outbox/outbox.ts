import { ContactsDeleted, ContactsUpserted, createEvent, type EventContract, type EventData, type EventOf } from '@m365/contracts'
import type { AnyDb } from '@m365/db'
import { outbox } from '../db/schema.js'

/** Every contract this service publishes; the publisher finds a row's contract by its subject. */
export const publishedContracts: readonly EventContract[] = [ContactsUpserted, ContactsDeleted]

/** A validated event, ready to be written to the outbox. */
export function outboxEvent<C extends EventContract> (contract: C, data: EventData<C>): EventOf<C> {
  return createEvent(contract, data)
}

/**
 * Writes events in the caller's transaction, so they exist exactly when the change they announce does.
 * The publisher sends them later with the event id as Nats-Msg-Id.
 */
export async function enqueueEvents (tx: AnyDb, events: ReadonlyArray<EventOf<EventContract>>): Promise<void> {
  for (let i = 0; i < events.length; i += 500) {
    const chunk = events.slice(i, i + 500)
    await tx.insert(outbox).values(chunk.map((event) => ({ id: event.id, subject: event.subject, payload: event })))
  }
}
