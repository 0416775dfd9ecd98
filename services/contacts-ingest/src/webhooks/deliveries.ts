import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { queryRows, type AnyDb } from '@m365/db'
import type { PsaType } from '../db/schema.js'

export interface NewDelivery {
  connectionId: string
  psa: PsaType
  dedupeKey: string
  body: Buffer
  headers: Record<string, string>
}

export interface StoredDeliveryRef { id: string, duplicate: boolean }

const keyOf = (connectionId: string, dedupeKey: string) => `${connectionId.toLowerCase()}\n${dedupeKey}`

/**
 * Stores verified deliveries for the worker in ONE statement (so one commit); a repeat of one already stored changes
 * nothing. A HaloPSA body is only a hint to refetch, so a repeat of one already processed or in flight is armed again
 * instead (a later change may look the same); clearing `claim_id` keeps the worker in flight from marking it done.
 * A repeat inside the same call is a duplicate of its first occurrence, as it would be one statement later.
 * Results come back in the order of `deliveries`.
 */
export async function storeDeliveries (db: AnyDb, deliveries: readonly NewDelivery[]): Promise<StoredDeliveryRef[]> {
  const first = new Map<string, NewDelivery>()
  for (const d of deliveries) {
    const key = keyOf(d.connectionId, d.dedupeKey)
    if (!first.has(key)) first.set(key, d)
  }
  const values = sql.join([...first.values()].map((d) => sql`(${randomUUID()}, ${d.connectionId}, ${d.psa}, ${d.dedupeKey}, ${d.body},
      ${JSON.stringify(d.headers)}::jsonb)`), sql`, `)
  const rows = await queryRows<{ id: string, connection_id: string, dedupe_key: string }>(db, sql`
    insert into contacts_ingest.webhook_deliveries as d (id, connection_id, psa, dedupe_key, body, headers)
    values ${values}
    on conflict (connection_id, dedupe_key) do update
      set status = 'pending', attempts = 0, claim_id = null, next_attempt_at = now(), last_error = null, outcome = null, processed_at = null,
        received_at = now()
      where d.psa = 'halopsa' and (d.status <> 'pending' or d.attempts > 0)
    returning d.id, d.connection_id, d.dedupe_key`)
  const written = new Map(rows.map((r) => [keyOf(r.connection_id, r.dedupe_key), r.id]))
  return deliveries.map((d) => {
    const key = keyOf(d.connectionId, d.dedupeKey)
    const id = first.get(key) === d ? written.get(key) : undefined
    return id === undefined ? { id: '', duplicate: true } : { id, duplicate: false }
  })
}

/** One delivery on its own (see storeDeliveries). */
export async function storeDelivery (db: AnyDb, delivery: NewDelivery): Promise<StoredDeliveryRef> {
  const [stored] = await storeDeliveries(db, [delivery])
  return stored as StoredDeliveryRef
}
