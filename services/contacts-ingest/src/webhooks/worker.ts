import { sql } from 'drizzle-orm'
import { queryRows, type AnyDb } from '@m365/db'
import { retryAfterOf } from '@m365/bus'
import { createWorkLoop, type WorkLoop } from '@m365/service-kit'
import { PsaPayloadError } from '@m365/psa'
import type { FastifyBaseLogger } from 'fastify'
import { retryDelayMs } from '../lib/backoff.js'
import { ConnectionGoneError } from '../lib/contact-lock.js'
import type { PsaType } from '../db/schema.js'
import { applyBatch, type BatchItem } from '../contacts/apply-batch.js'
import { outcome, planDelivery, processDelivery, type ProcessDeps, type StoredDelivery } from './process.js'

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

/** a delivery for the one-by-one path; `refetch`: a batch already decided the PSA must be asked, and why */
interface Alone { row: Claimed, refetch?: string }

interface Claimed {
  id: string, claim_id: string, connection_id: string, psa: PsaType, body: Buffer | Uint8Array, attempts: number, received_at: Date | string
}

/**
 * Processes stored deliveries in the background. Claiming pushes a delivery's next_attempt_at out by a lease
 * (FOR UPDATE SKIP LOCKED), so replicas share the work without holding a transaction while the PSA is asked; a crash
 * only delays a delivery until its lease runs out. A failure (the PSA is down) leaves it pending with a later
 * next_attempt_at (exponential backoff, and no sooner than a Retry-After the PSA answered) until maxAttempts, then it
 * is marked failed.
 */
export function startDeliveryWorker (options: DeliveryWorkerOptions): WorkLoop {
  const { db, log } = options

  async function claim (): Promise<Claimed[]> {
    return await queryRows<Claimed>(db, sql`
      update contacts_ingest.webhook_deliveries d
      set next_attempt_at = now() + (${options.leaseMs} * interval '1 millisecond'), attempts = d.attempts + 1, claim_id = gen_random_uuid()
      where d.id in (
        select id from contacts_ingest.webhook_deliveries
        where status = 'pending' and next_attempt_at <= now()
        order by next_attempt_at, received_at limit ${options.batch} for update skip locked)
      returning d.id, d.claim_id, d.connection_id, d.psa, d.body, d.attempts, d.received_at`)
  }

  // `claim_id` still being ours means nobody claimed the delivery again (lease over) or armed it again (Halo) meanwhile;
  // `attempts` cannot tell: re-arming resets it, so the next claim repeats the number
  async function finish (row: Claimed, outcome: string): Promise<void> {
    await db.execute(sql`update contacts_ingest.webhook_deliveries
      set status = 'done', outcome = ${outcome}, last_error = null, processed_at = now() where id = ${row.id} and claim_id = ${row.claim_id}`)
  }

  async function fail (row: Claimed, err: unknown): Promise<void> {
    const message = (err as Error).message ?? String(err)
    const poison = err instanceof PsaPayloadError || err instanceof ConnectionGoneError
    const final = poison || row.attempts >= options.maxAttempts
    options.onFailed?.(row.psa, final)
    if (final) {
      log.error({ err, deliveryId: row.id, connectionId: row.connection_id, attempts: row.attempts }, 'delivery failed for good')
      await db.execute(sql`update contacts_ingest.webhook_deliveries
        set status = 'failed', last_error = ${message}, processed_at = now() where id = ${row.id} and claim_id = ${row.claim_id}`)
      return
    }
    // never sooner than the PSA asked (a Retry-After longer than the client waits): an early try counts against its limits
    const delayMs = Math.max(retryDelayMs(row.attempts, options.retryBaseMs, options.retryMaxMs), retryAfterOf(err))
    log.warn({ err, deliveryId: row.id, connectionId: row.connection_id, attempts: row.attempts, delayMs }, 'delivery processing failed, will retry')
    await db.execute(sql`update contacts_ingest.webhook_deliveries
      set next_attempt_at = now() + (${delayMs} * interval '1 millisecond'), last_error = ${message}
      where id = ${row.id} and claim_id = ${row.claim_id}`)
  }

  const toDelivery = (row: Claimed): StoredDelivery => ({
    id: row.id, connectionId: row.connection_id, psa: row.psa, body: Buffer.from(row.body), receivedAt: new Date(row.received_at)
  })

  async function handle ({ row, refetch }: Alone): Promise<void> {
    const delivery = toDelivery(row)
    try {
      const outcome = await processDelivery(options, delivery, refetch)
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
    // processed ones only: a failed delivery is kept until it is retried (GET/POST …/deliveries)
    await db.execute(sql`delete from contacts_ingest.webhook_deliveries
      where status = 'done' and processed_at < now() - (${options.retentionDays} * interval '1 day')`)
  }

  // the whole batch's bookkeeping in the transaction that applied it; `claim_id` as in finish()
  async function finishAll (tx: AnyDb, done: Array<{ row: Claimed, outcome: string }>): Promise<void> {
    const values = sql.join(done.map(({ row, outcome }) => sql`(${row.id}::uuid, ${row.claim_id}::uuid, ${outcome})`), sql`, `)
    await tx.execute(sql`update contacts_ingest.webhook_deliveries d
      set status = 'done', outcome = v.outcome, last_error = null, processed_at = now()
      from (values ${values}) as v(id, claim_id, outcome) where d.id = v.id and d.claim_id = v.claim_id`)
  }

  /**
   * The deliveries whose bodies settle them, per connection in one transaction each (applyBatch): a handful of round
   * trips for the lot instead of a dozen per delivery. Returns the rows left for the one-by-one path: those that need
   * the PSA, come after such a one for the same contact, or were in a batch that failed (each then fails on its own).
   */
  async function settleInBatches (rows: Claimed[]): Promise<Alone[]> {
    const alone: Alone[] = []
    const byConnection = new Map<string, { psa: PsaType, items: Array<BatchItem<Claimed>> }>()
    for (const row of rows) {
      let plan
      try {
        plan = planDelivery(toDelivery(row))
      } catch {
        alone.push({ row }) // not what the PSA sends: fails there, for good
        continue
      }
      if (plan.kind !== 'settle') {
        alone.push({ row })
        continue
      }
      const group = byConnection.get(row.connection_id) ?? { psa: row.psa, items: [] }
      group.items.push({ key: row, externalId: plan.externalId, incoming: plan.incoming })
      byConnection.set(row.connection_id, group)
    }
    for (const [connectionId, { psa, items }] of byConnection) {
      if (items.length === 1) {
        alone.push({ row: items[0]!.key })
        continue
      }
      try {
        const result = await applyBatch(db, { id: connectionId, psa }, items, async (tx, settled) => {
          await finishAll(tx, settled.map(({ item, decision }) => ({ row: item.key, outcome: outcome(decision) })))
        })
        for (const { item, decision } of result.settled) {
          options.onProcessed?.(item.key.psa, outcome(decision))
          log.debug({ deliveryId: item.key.id, connectionId, outcome: outcome(decision) }, 'delivery processed')
        }
        alone.push(...result.deferred.map((item) => ({ row: item.key, ...(item.refetch === undefined ? {} : { refetch: item.refetch }) })))
      } catch (err) {
        log.debug({ err, connectionId, deliveries: items.length }, 'batch not applied, each delivery on its own')
        alone.push(...items.map((item) => ({ row: item.key })))
      }
    }
    return alone
  }

  async function oneByOne (rows: Alone[]): Promise<void> {
    let next = 0
    const lane = async () => {
      while (next < rows.length) await handle(rows[next++] as Alone)
    }
    await Promise.all(Array.from({ length: Math.min(options.concurrency, rows.length) }, lane))
  }

  async function pass (): Promise<boolean> {
    await prune()
    const rows = await claim()
    await oneByOne(await settleInBatches(rows))
    if (rows.length > 0) options.onChange?.()
    return rows.length === options.batch
  }

  return createWorkLoop({ name: 'deliveries', log, intervalMs: options.pollMs, work: pass }).start()
}
