import { sql } from 'drizzle-orm'
import { queryRows } from '@m365/db'
import { createWorkLoop, type WorkLoop } from '@m365/service-kit'
import { PsaPayloadError } from '@m365/psa'
import type { FastifyBaseLogger } from 'fastify'
import { retryDelayMs } from '../lib/backoff.js'
import { ConnectionGoneError } from '../lib/contact-lock.js'
import type { PsaType } from '../db/schema.js'
import { processDelivery, type ProcessDeps, type StoredDelivery } from './process.js'

export interface DeliveryWorkerOptions extends ProcessDeps {
  log: FastifyBaseLogger
  pollMs: number
  batch: number
  concurrency: number
  leaseMs: number
  retryBaseMs: number
  retryMaxMs: number
  maxAttempts: number
  /** called after a pass that processed deliveries (events may be waiting in the outbox) */
  onChange?: () => void
  /** for metrics */
  onProcessed?: (psa: PsaType, outcome: string) => void
  onFailed?: (psa: PsaType, final: boolean) => void
  /** processed deliveries are deleted after this long (their dedupe keys with them) */
  retentionDays: number
}

interface Claimed { id: string, connection_id: string, psa: PsaType, body: Buffer | Uint8Array, attempts: number, received_at: Date | string }

/**
 * Processes stored deliveries in the background. Claiming pushes a delivery's next_attempt_at out by a lease
 * (FOR UPDATE SKIP LOCKED), so replicas share the work without holding a transaction while the PSA is asked; a crash
 * only delays a delivery until its lease runs out. A failure (the PSA is down) leaves it pending with a later
 * next_attempt_at (exponential backoff) until maxAttempts, then it is marked failed.
 */
export function startDeliveryWorker (options: DeliveryWorkerOptions): WorkLoop {
  const { db, log } = options

  async function claim (): Promise<Claimed[]> {
    return await queryRows<Claimed>(db, sql`
      update contacts_ingest.webhook_deliveries d
      set next_attempt_at = now() + (${options.leaseMs} * interval '1 millisecond'), attempts = d.attempts + 1
      where d.id in (
        select id from contacts_ingest.webhook_deliveries
        where status = 'pending' and next_attempt_at <= now()
        order by next_attempt_at, received_at limit ${options.batch} for update skip locked)
      returning d.id, d.connection_id, d.psa, d.body, d.attempts, d.received_at`)
  }

  // `attempts` still being ours means nobody claimed the delivery again (lease over) or armed it again (Halo) meanwhile
  async function finish (row: Claimed, outcome: string): Promise<void> {
    await db.execute(sql`update contacts_ingest.webhook_deliveries
      set status = 'done', outcome = ${outcome}, last_error = null, processed_at = now() where id = ${row.id} and attempts = ${row.attempts}`)
  }

  async function fail (row: Claimed, err: unknown): Promise<void> {
    const message = (err as Error).message ?? String(err)
    const poison = err instanceof PsaPayloadError || err instanceof ConnectionGoneError
    const final = poison || row.attempts >= options.maxAttempts
    options.onFailed?.(row.psa, final)
    if (final) {
      log.error({ err, deliveryId: row.id, connectionId: row.connection_id, attempts: row.attempts }, 'delivery failed for good')
      await db.execute(sql`update contacts_ingest.webhook_deliveries
        set status = 'failed', last_error = ${message}, processed_at = now() where id = ${row.id} and attempts = ${row.attempts}`)
      return
    }
    const delayMs = retryDelayMs(row.attempts, options.retryBaseMs, options.retryMaxMs)
    log.warn({ err, deliveryId: row.id, connectionId: row.connection_id, attempts: row.attempts, delayMs }, 'delivery processing failed, will retry')
    await db.execute(sql`update contacts_ingest.webhook_deliveries
      set next_attempt_at = now() + (${delayMs} * interval '1 millisecond'), last_error = ${message}
      where id = ${row.id} and attempts = ${row.attempts}`)
  }

  async function handle (row: Claimed): Promise<void> {
    const delivery: StoredDelivery = {
      id: row.id, connectionId: row.connection_id, psa: row.psa, body: Buffer.from(row.body), receivedAt: new Date(row.received_at)
    }
    try {
      const outcome = await processDelivery(options, delivery)
      await finish(row, outcome)
      options.onProcessed?.(row.psa, outcome)
      log.debug({ deliveryId: row.id, connectionId: row.connection_id, outcome }, 'delivery processed')
    } catch (err) {
      await fail(row, err)
    }
  }

  let lastPrune = 0
  async function prune (): Promise<void> {
    if (Date.now() - lastPrune < 3_600_000) return
    lastPrune = Date.now()
    await db.execute(sql`delete from contacts_ingest.webhook_deliveries
      where status <> 'pending' and processed_at < now() - (${options.retentionDays} * interval '1 day')`)
  }

  async function pass (): Promise<boolean> {
    await prune()
    const rows = await claim()
    let next = 0
    const lane = async () => {
      while (next < rows.length) await handle(rows[next++] as Claimed)
    }
    await Promise.all(Array.from({ length: Math.min(options.concurrency, rows.length) }, lane))
    if (rows.length > 0) options.onChange?.()
    return rows.length === options.batch
  }

  return createWorkLoop({ name: 'deliveries', log, intervalMs: options.pollMs, work: pass }).start()
}
