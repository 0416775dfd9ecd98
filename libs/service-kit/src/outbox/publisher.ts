import { setTimeout as sleep } from 'node:timers/promises'
import { sql } from 'drizzle-orm'
import type { FastifyBaseLogger } from 'fastify'
import type { EventBus } from '@m365/bus'
import { allEvents, type EventContract, type EventOf } from '@m365/contracts'
import { queryRows, type AnyDb } from '@m365/db'
import { createWorkLoop, type WorkLoop } from '../work-loop.js'
import type { OutboxTable } from './table.js'

export interface OutboxPublisherOptions {
  db: AnyDb
  bus: EventBus
  table: OutboxTable
  log: FastifyBaseLogger
  /** how often unsent rows are looked for when nobody wakes the publisher */
  pollMs: number
  /** a claimed row is anyone's again after this (its publisher died); default 30 s */
  leaseMs?: number
  /** rows per pass; default 100 */
  batch?: number
  /** sent rows are deleted after this (JetStream dedupes for minutes); default 7 days */
  keepSentMs?: number
  /** test only: pause between claiming rows and publishing them (the crash window between commit and publish) */
  publishDelayMs?: number
}

interface Claimed { seq: number, id: string, subject: string, payload: unknown }

const contracts = new Map<string, EventContract>(allEvents.map((contract) => [contract.subject, contract]))
const PRUNE_EVERY_MS = 3_600_000

/**
 * The outbox loop. It claims unsent rows in order with a lease (FOR UPDATE SKIP LOCKED, so replicas take
 * different rows and no transaction stays open while publishing), publishes each with its event id as
 * msgId (JetStream drops a repeat, so a crash after publishing and before marking sends nothing twice)
 * and marks them sent. A failed publish records the error on the rows left, frees them and fails the
 * pass: the loop backs off. Sent rows are pruned, at most hourly, when there is nothing to send.
 */
export function createOutboxPublisher (options: OutboxPublisherOptions): WorkLoop {
  const { db, bus, table, log, leaseMs = 30_000, batch = 100, keepSentMs = 7 * 86_400_000 } = options
  const seqs = (rows: ReadonlyArray<{ seq: number }>) => sql.join(rows.map((row) => sql`${row.seq}`), sql`, `)
  let lastPrune = 0

  async function claim (): Promise<Claimed[]> {
    const rows = await queryRows<Claimed>(db, sql`
      update ${table} set lease_until = now() + (${leaseMs} * interval '1 millisecond'), attempts = attempts + 1
      where seq in (
        select seq from ${table}
        where sent_at is null and (lease_until is null or lease_until < now())
        order by seq limit ${batch} for update skip locked)
      returning seq::int8 as seq, id, subject, payload`)
    return rows.map((row) => ({ ...row, seq: Number(row.seq) })).sort((a, b) => a.seq - b.seq)
  }

  async function pass (): Promise<boolean> {
    const rows = await claim()
    if (rows.length === 0) {
      await prune()
      return false
    }
    if (options.publishDelayMs) {
      log.info({ events: rows.map((row) => row.id), delayMs: options.publishDelayMs }, 'outbox publish delayed (OUTBOX_PUBLISH_DELAY_MS)')
      await sleep(options.publishDelayMs)
    }
    const sent: Claimed[] = []
    try {
      for (const row of rows) {
        const contract = contracts.get(row.subject)
        if (!contract) throw new Error(`no contract for subject ${row.subject}`)
        await bus.publish(contract, row.payload as EventOf<EventContract>, { msgId: row.id })
        sent.push(row)
      }
    } catch (err) {
      const failed = rows[sent.length]
      log.warn({ err, eventId: failed?.id, subject: failed?.subject }, 'outbox publish failed, will retry')
      await db.execute(sql`update ${table} set last_error = ${(err as Error).message}, lease_until = null
        where seq in (${seqs(rows.slice(sent.length))})`)
      throw err
    } finally {
      if (sent.length > 0) {
        await db.execute(sql`update ${table} set sent_at = now(), lease_until = null, last_error = null where seq in (${seqs(sent)})`)
        log.debug({ sent: sent.length }, 'outbox published')
      }
    }
    return rows.length === batch
  }

  async function prune (): Promise<void> {
    if (Date.now() - lastPrune < PRUNE_EVERY_MS) return
    lastPrune = Date.now()
    await pruneSentOutbox(db, table, keepSentMs)
  }

  return createWorkLoop({ name: 'outbox', log, intervalMs: options.pollMs, work: pass })
}

/** Deletes rows sent more than `olderThanMs` ago. */
export async function pruneSentOutbox (db: AnyDb, table: OutboxTable, olderThanMs: number): Promise<void> {
  await db.execute(sql`delete from ${table} where sent_at < now() - (${olderThanMs} * interval '1 millisecond')`)
}
