import { asc, eq, isNull, lt, sql, and, isNotNull } from 'drizzle-orm'
import type { EventBus } from '@m365/bus'
import type { EventContract, EventOf } from '@m365/contracts'
import type { AnyDb } from '@m365/db'
import type { FastifyBaseLogger } from 'fastify'
import { outbox } from '../db/schema.js'
import { publishedContracts } from './outbox.js'

const BATCH = 50
const KEEP_SENT_MS = 7 * 24 * 3600_000
const PRUNE_EVERY_MS = 3600_000
const MAX_BACKOFF_MS = 30_000

export interface OutboxPublisher {
  /** Publish now instead of at the next poll (called after a commit that wrote events). */
  wake (): void
  /** Stops the loop after the batch in flight. */
  stop (): Promise<void>
}

export interface OutboxPublisherOptions { db: AnyDb, bus: EventBus, log: FastifyBaseLogger, pollMs: number }

/**
 * The outbox loop: takes unsent rows in order (FOR UPDATE SKIP LOCKED, so replicas never send the
 * same row at once), publishes each with its event id as msgId, marks it sent in the same
 * transaction. A failed publish stops the batch, keeps order, and backs off.
 */
export function startOutboxPublisher ({ db, bus, log, pollMs }: OutboxPublisherOptions): OutboxPublisher {
  const contracts = new Map(publishedContracts.map((c) => [c.subject, c]))
  const run = { stopped: false, woken: false }
  let wakeUp: (() => void) | undefined
  let lastPrune = 0

  async function publishBatch (): Promise<{ sent: number, full: boolean, failed: boolean }> {
    return await db.transaction(async (tx) => {
      const rows = await tx.select().from(outbox).where(isNull(outbox.sentAt)).orderBy(asc(outbox.seq)).limit(BATCH)
        .for('update', { skipLocked: true })
      let sent = 0
      for (const row of rows) {
        try {
          const contract = contracts.get(row.subject)
          if (!contract) throw new Error(`no contract for subject ${row.subject}`)
          await bus.publish(contract as EventContract, row.payload as EventOf<EventContract>, { msgId: row.id })
        } catch (err) {
          log.warn({ err, eventId: row.id, subject: row.subject, attempts: row.attempts + 1 }, 'outbox publish failed, will retry')
          await tx.update(outbox).set({ attempts: sql`${outbox.attempts} + 1`, lastError: (err as Error).message })
            .where(eq(outbox.seq, row.seq))
          return { sent, full: false, failed: true }
        }
        await tx.update(outbox).set({ sentAt: new Date() }).where(eq(outbox.seq, row.seq))
        sent++
      }
      return { sent, full: rows.length === BATCH, failed: false }
    })
  }

  async function prune (): Promise<void> {
    if (Date.now() - lastPrune < PRUNE_EVERY_MS) return
    lastPrune = Date.now()
    await db.delete(outbox).where(and(isNotNull(outbox.sentAt), lt(outbox.sentAt, new Date(Date.now() - KEEP_SENT_MS))))
  }

  const pause = (ms: number) => new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms)
    function done () { clearTimeout(timer); wakeUp = undefined; resolve() }
    wakeUp = done
  })

  const loop = (async () => {
    let failures = 0
    while (!run.stopped) {
      let full = false
      try {
        const result = await publishBatch()
        if (result.sent > 0) log.debug({ sent: result.sent }, 'outbox published')
        failures = result.failed ? failures + 1 : 0
        full = result.full
        await prune()
      } catch (err) {
        failures++
        log.warn({ err }, 'outbox pass failed')
      }
      if (run.stopped) break
      if (failures === 0 && (full || run.woken)) {
        run.woken = false
        continue
      }
      await pause(failures === 0 ? pollMs : Math.min(pollMs * 2 ** failures, MAX_BACKOFF_MS))
    }
  })()

  return {
    wake () {
      run.woken = true
      wakeUp?.()
    },
    async stop () {
      run.stopped = true
      wakeUp?.()
      await loop
    }
  }
}
