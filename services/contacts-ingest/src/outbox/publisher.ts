import { setTimeout as sleep } from 'node:timers/promises'
import { sql } from 'drizzle-orm'
import type { EventBus } from '@m365/bus'
import type { EventContract, EventOf } from '@m365/contracts'
import { queryRows, type AnyDb } from '@m365/db'
import { createWorkLoop, type WorkLoop } from '@m365/service-kit'
import type { FastifyBaseLogger } from 'fastify'
import { publishedContracts } from './outbox.js'

export interface OutboxPublisherOptions {
  db: AnyDb
  bus: EventBus
  log: FastifyBaseLogger
  pollMs: number
  /** a claimed row is free for anyone again after this */
  leaseMs: number
  /** test only: pause between claiming rows and publishing them (the crash window between commit and publish) */
  publishDelayMs?: number
  batch?: number
}

interface Claimed { seq: number, id: string, subject: string, payload: unknown }

const KEEP_SENT = '7 days'

/**
 * The outbox loop. It claims unsent rows with a lease (FOR UPDATE SKIP LOCKED, so replicas take different rows and
 * no transaction stays open while publishing), publishes each with its event id as msgId — JetStream drops a
 * repeat, so a crash after publishing and before marking sends nothing twice — and marks them sent.
 */
export function startOutboxPublisher (options: OutboxPublisherOptions): WorkLoop {
  const { db, bus, log, leaseMs } = options
  const batch = options.batch ?? 100
  const contracts = new Map(publishedContracts.map((c) => [c.subject, c]))
  let lastPrune = 0

  async function claim (): Promise<Claimed[]> {
    return await queryRows<Claimed>(db, sql`
      update contacts_ingest.outbox o set lease_until = now() + (${leaseMs} * interval '1 millisecond'), attempts = o.attempts + 1
      where o.seq in (
        select seq from contacts_ingest.outbox
        where sent_at is null and (lease_until is null or lease_until < now())
        order by seq limit ${batch} for update skip locked)
      returning o.seq::int8 as seq, o.id, o.subject, o.payload`)
  }

  async function pass (): Promise<boolean> {
    const rows = (await claim()).sort((a, b) => Number(a.seq) - Number(b.seq))
    if (rows.length === 0) {
      await prune()
      return false
    }
    if (options.publishDelayMs) {
      log.info({ events: rows.map((r) => r.id), delayMs: options.publishDelayMs }, 'outbox publish delayed (OUTBOX_PUBLISH_DELAY_MS)')
      await sleep(options.publishDelayMs)
    }
    const sent: number[] = []
    try {
      for (const row of rows) {
        const contract = contracts.get(row.subject)
        if (!contract) throw new Error(`no contract for subject ${row.subject}`)
        await bus.publish(contract, row.payload as EventOf<EventContract>, { msgId: row.id })
        sent.push(Number(row.seq))
      }
    } catch (err) {
      const failed = rows[sent.length]
      log.warn({ err, eventId: failed?.id, subject: failed?.subject }, 'outbox publish failed, will retry')
      await db.execute(sql`update contacts_ingest.outbox set last_error = ${(err as Error).message}, lease_until = null
        where seq in (${sql.join(rows.slice(sent.length).map((r) => sql`${r.seq}`), sql`, `)})`)
      throw err
    } finally {
      if (sent.length > 0) {
        await db.execute(sql`update contacts_ingest.outbox set sent_at = now(), lease_until = null, last_error = null
          where seq in (${sql.join(sent.map((seq) => sql`${seq}`), sql`, `)})`)
        log.debug({ sent: sent.length }, 'outbox published')
      }
    }
    return rows.length === batch
  }

  async function prune (): Promise<void> {
    if (Date.now() - lastPrune < 3_600_000) return
    lastPrune = Date.now()
    await db.execute(sql`delete from contacts_ingest.outbox where sent_at < now() - ${KEEP_SENT}::interval`)
  }

  return createWorkLoop({ name: 'outbox', log, intervalMs: options.pollMs, work: pass }).start()
}
