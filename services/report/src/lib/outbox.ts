import { asc, inArray, isNull } from 'drizzle-orm'
import { allEvents, createEvent, type EventContract, type EventData, type EventOf } from '@m365/contracts'
import type { EventBus } from '@m365/bus'
import type { AnyDb } from '@m365/db'
import { outbox } from '../db/schema.js'

const contracts = new Map<string, EventContract>(allEvents.map((contract) => [contract.subject, contract]))
const BATCH = 100

/** Records an event in the caller's transaction; the publisher sends it once that commits. */
export async function enqueueEvent<C extends EventContract> (
  tx: AnyDb, contract: C, data: EventData<C>, options: { id?: string } = {}
): Promise<EventOf<C>> {
  const event = createEvent(contract, data, options)
  await tx.insert(outbox).values({ id: event.id, subject: contract.subject, event })
  return event
}

/**
 * Publishes unsent outbox rows, oldest first, with the event id as the message id (a repeat after a
 * crash between publish and commit is dropped by the bus), and marks them sent. Rows are locked
 * with SKIP LOCKED, so replicas share the work. Returns true when a full batch went out (maybe more).
 */
export async function publishOutbox (db: AnyDb, bus: EventBus): Promise<boolean> {
  return await db.transaction(async (tx) => {
    const rows = await tx.select().from(outbox).where(isNull(outbox.sentAt))
      .orderBy(asc(outbox.createdAt)).limit(BATCH).for('update', { skipLocked: true })
    for (const row of rows) {
      const contract = contracts.get(row.subject)
      if (!contract) throw new Error(`outbox row ${row.id} has unknown subject ${row.subject}`)
      await bus.publish(contract, row.event as EventOf<typeof contract>, { msgId: row.id })
    }
    if (rows.length > 0) await tx.update(outbox).set({ sentAt: new Date() }).where(inArray(outbox.id, rows.map((row) => row.id)))
    return rows.length === BATCH
  })
}
