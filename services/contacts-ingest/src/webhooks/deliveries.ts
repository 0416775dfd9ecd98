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

/**
 * Stores a verified delivery for the worker; a repeat of one already stored changes nothing. A HaloPSA body is only
 * a hint to refetch, so a repeat of one already processed or in flight is armed again instead (a later change may
 * look the same); resetting `attempts` keeps the worker in flight from marking it done.
 */
export async function storeDelivery (db: AnyDb, delivery: NewDelivery): Promise<{ id: string, duplicate: boolean }> {
  const rows = await queryRows<{ id: string }>(db, sql`
    insert into contacts_ingest.webhook_deliveries as d (id, connection_id, psa, dedupe_key, body, headers)
    values (${randomUUID()}, ${delivery.connectionId}, ${delivery.psa}, ${delivery.dedupeKey}, ${delivery.body},
      ${JSON.stringify(delivery.headers)}::jsonb)
    on conflict (connection_id, dedupe_key) do update
      set status = 'pending', attempts = 0, next_attempt_at = now(), last_error = null, outcome = null, processed_at = null,
        received_at = now()
      where d.psa = 'halopsa' and (d.status <> 'pending' or d.attempts > 0)
    returning d.id`)
  const [row] = rows
  return row ? { id: row.id, duplicate: false } : { id: '', duplicate: true }
}
