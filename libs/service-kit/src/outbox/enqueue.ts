import { createEvent, type EventContract, type EventData, type EventOf } from '@m365/contracts'
import type { AnyDb } from '@m365/db'
import type { OutboxTable } from './table.js'

const CHUNK = 500

/**
 * Writes an event in the caller's transaction, so it exists exactly when the state change does; the
 * publisher sends it once that commits. `id` gives a deterministic event id (a retried write then
 * publishes once: the bus drops the repeat).
 */
export async function enqueue<C extends EventContract> (
  tx: AnyDb, table: OutboxTable, contract: C, data: EventData<C>, options: { id?: string } = {}
): Promise<EventOf<C>> {
  const event = createEvent(contract, data, options)
  await enqueueEvents(tx, table, [event])
  return event
}

/** Writes events already made with createEvent (in chunks: one statement has a parameter limit). */
export async function enqueueEvents (tx: AnyDb, table: OutboxTable, events: ReadonlyArray<EventOf<EventContract>>): Promise<void> {
  for (let i = 0; i < events.length; i += CHUNK) {
    await tx.insert(table).values(events.slice(i, i + CHUNK).map((event) => ({ id: event.id, subject: event.subject, payload: event })))
  }
}
