import type { AnyDb } from '@m365/db'
import { enqueueEvents } from '@m365/service-kit/outbox'
import { outbox } from '../db/schema.js'
import { lockContacts, shareConnection } from '../lib/contact-lock.js'
import { decide, type Decision, type Incoming } from './decide.js'
import type { AnyEvent } from './events.js'
import type { ContactRow } from './state.js'
import { clientsOf, loadContacts, nextState, upsertContacts, type ConnectionRef } from './write.js'

export interface BatchItem<K> { key: K, externalId: string, incoming: Incoming }

export interface BatchResult<K> {
  /** decided and written (or left alone) in the transaction */
  settled: Array<{ item: BatchItem<K>, decision: Exclude<Decision, { action: 'refetch' }> }>
  /** not touched: deciding said refetch (`refetch`: why), or an earlier item of the same contact did (they keep their order) */
  deferred: Array<BatchItem<K> & { refetch?: string }>
}

/**
 * Several incoming states of one connection's contacts in ONE transaction: the connection shared, every contact
 * locked, read, and their mapped clients read once; each item decided in order against the state the items before it
 * left (as one after the other would), then the changed rows, their events and `finish` (the caller's bookkeeping,
 * same transaction) written once. A contact with an item that needs the PSA is left to the one-by-one path from
 * there on, so its later items still come after that refetch.
 */
export async function applyBatch<K> (
  db: AnyDb, connection: ConnectionRef, items: ReadonlyArray<BatchItem<K>>,
  finish: (tx: AnyDb, settled: BatchResult<K>['settled']) => Promise<void>
): Promise<BatchResult<K>> {
  const ids = [...new Set(items.map((i) => i.externalId))]
  return await db.transaction(async (tx) => {
    await shareConnection(tx, connection.id)
    await lockContacts(tx, connection.id, ids)
    const current = await loadContacts(tx, connection.id, ids)
    const companies = [
      ...items.map((i) => (i.incoming.kind === 'delete' ? null : i.incoming.contact.companyExternalId)),
      ...[...current.values()].map((r) => r.companyExternalId)
    ]
    const clients = await clientsOf(tx, connection.id, companies)
    const result: BatchResult<K> = { settled: [], deferred: [] }
    const waiting = new Set<string>()
    const changed = new Map<string, ContactRow>()
    const events: AnyEvent[] = []
    for (const item of items) {
      if (waiting.has(item.externalId)) {
        result.deferred.push(item)
        continue
      }
      const row = current.get(item.externalId)
      const decision = decide(row, item.incoming)
      if (decision.action === 'refetch') {
        waiting.add(item.externalId)
        result.deferred.push({ ...item, refetch: decision.reason })
        continue
      }
      const next = nextState(connection, item.externalId, row, decision, clients)
      if (next.next) {
        current.set(item.externalId, next.next)
        changed.set(item.externalId, next.next)
      }
      events.push(...next.events)
      result.settled.push({ item, decision })
    }
    if (changed.size > 0) await upsertContacts(tx, [...changed.values()])
    if (events.length > 0) await enqueueEvents(tx, outbox, events)
    if (result.settled.length > 0) await finish(tx, result.settled)
    return result
  })
}
