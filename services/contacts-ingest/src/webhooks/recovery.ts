import { sql } from 'drizzle-orm'
import { decodeCursor, toPage, type WebhookDelivery, type WebhookDeliveryStatus } from '@m365/api'
import { queryRows, type AnyDb } from '@m365/db'
import type { DeliveryStatus, PsaType } from '../db/schema.js'

const STORED: Record<WebhookDeliveryStatus, DeliveryStatus> = { pending: 'pending', processed: 'done', failed: 'failed' }
const SHOWN: Record<DeliveryStatus, WebhookDeliveryStatus> = { pending: 'pending', done: 'processed', failed: 'failed' }

const MAX_ERROR_CHARS = 300

/**
 * A stored error message as the API shows it: its first line, without control characters, credentials in a URL
 * (`//user:password@`) or a query string, at most MAX_ERROR_CHARS. The worker stores the message of whatever failed
 * (PsaHttpError: method, URL without its query, status and the start of the PSA's answer): never a body we received.
 */
export function publicError (message: string | null): string | null {
  if (message === null) return null
  const line = (message.split(/\r?\n/).find((l) => l.trim() !== '') ?? '')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]/g, ' ')
    .replace(/\/\/[^/\s@]*@/g, '//')
    .replace(/(https?:\/\/[^\s?#]*)\?[^\s#]*/g, '$1')
    .trim()
  return line.length > MAX_ERROR_CHARS ? `${line.slice(0, MAX_ERROR_CHARS - 1)}…` : line
}

interface Row {
  id: string
  connection_id: string
  psa: PsaType
  status: DeliveryStatus
  received_at: Date | string
  /** received_at to the microsecond (the cursor: Date keeps milliseconds only) */
  received_key: string
  attempts: number
  last_error: string | null
  next_attempt_at: Date | string
  processed_at: Date | string | null
  outcome: string | null
}

const iso = (value: Date | string | null) => value === null ? null : new Date(value).toISOString()

function view (row: Row): WebhookDelivery {
  const status = SHOWN[row.status]
  return {
    id: row.id,
    connectionId: row.connection_id,
    psa: row.psa,
    status,
    receivedAt: iso(row.received_at)!,
    attempts: row.attempts,
    lastError: publicError(row.last_error),
    nextAttemptAt: status === 'pending' ? iso(row.next_attempt_at) : null,
    processedAt: status === 'pending' ? null : iso(row.processed_at),
    outcome: status === 'processed' ? row.outcome : null
  }
}

/**
 * A connection's deliveries of one status, oldest first (received_at, id), cursor-paged. Failed ones come from their
 * own partial index; pending and processed ones from the connection's dedupe index.
 */
export async function listDeliveries (db: AnyDb, connectionId: string, query: { status: WebhookDeliveryStatus, limit: number, cursor?: string | undefined }) {
  const after = decodeCursor(query.cursor, ['timestamp', 'uuid'])
  const rows = await queryRows<Row>(db, sql`
    select id, connection_id, psa, status, received_at, attempts, last_error, next_attempt_at, processed_at, outcome,
      to_char(received_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as received_key
    from contacts_ingest.webhook_deliveries
    where connection_id = ${connectionId} and status = ${STORED[query.status]}
      ${after ? sql`and (received_at, id) > (${after[0]}::timestamptz, ${after[1]}::uuid)` : sql``}
    order by received_at, id
    limit ${query.limit + 1}`)
  return toPage(rows, query.limit, view, (r) => [r.received_key, r.id])
}

/**
 * Puts a connection's failed deliveries (all, or those of `ids`) back to pending with a fresh budget of tries, due now.
 * Deliveries not failed, or of another connection, are left as they are, so asking twice changes nothing more.
 * The last error stays until a try succeeds. Returns how many were put back.
 */
export async function retryFailedDeliveries (db: AnyDb, connectionId: string, ids?: readonly string[]): Promise<number> {
  const only = ids === undefined ? sql`` : sql`and id in (${sql.join(ids.map((id) => sql`${id}::uuid`), sql`, `)})`
  const rows = await queryRows<{ id: string }>(db, sql`
    update contacts_ingest.webhook_deliveries
    set status = 'pending', attempts = 0, claim_id = null, next_attempt_at = now(), processed_at = null, outcome = null
    where connection_id = ${connectionId} and status = 'failed' ${only}
    returning id`)
  return rows.length
}
