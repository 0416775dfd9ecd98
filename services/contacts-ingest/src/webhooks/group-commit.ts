import type { AnyDb } from '@m365/db'
import { storeDeliveries, type NewDelivery, type StoredDeliveryRef } from './deliveries.js'

export interface GroupCommitOptions {
  /** deliveries per INSERT at most */
  maxRows: number
  /** INSERTs in flight at once (at most the connections of the pool they run on) */
  maxInFlight: number
}

interface Waiting { delivery: NewDelivery, resolve: (stored: StoredDeliveryRef) => void, reject: (err: unknown) => void }

/** The SQLSTATE of a failed statement (drizzle wraps the driver's error as its cause); undefined for a socket error. */
function sqlState (err: unknown): string | undefined {
  const e = err as { code?: unknown, cause?: { code?: unknown } } | undefined
  for (const code of [e?.code, e?.cause?.code]) {
    if (typeof code === 'string' && /^([0-5][0-9A-Z]|F0|HV|P0|XX)[0-9A-Z]{3}$/.test(code)) return code
  }
  return undefined
}

/**
 * The database or the way to it failed, not one row: no SQLSTATE (a socket error), connection exception (08),
 * insufficient resources (53) or operator intervention (57: shutdown, statement timeout). Each row alone would fail too.
 */
function isConnectionFailure (err: unknown): boolean {
  const state = sqlState(err)
  return state === undefined || /^(08|53|57)/.test(state)
}

/**
 * Group commit for webhook intake: deliveries that arrive while an INSERT is in flight wait and go into the next one
 * together (one statement, one commit, one WAL flush), up to `maxRows`. Nothing waits on a timer: with a free slot a
 * delivery is written in the next turn of the event loop, so a quiet service answers as fast as before. `store`
 * resolves only once the statement holding the delivery committed. When it fails because of one row (anything but the
 * connection), each delivery is tried on its own, so only the faulty one answers 5xx; when the connection failed,
 * every delivery in it is rejected (their requests answer 5xx and the PSA sends them again).
 */
export function createGroupCommit (db: AnyDb, options: GroupCommitOptions) {
  const queue: Waiting[] = []
  let inFlight = 0
  let scheduled = false

  async function commit (batch: Waiting[]): Promise<void> {
    try {
      const stored = await storeDeliveries(db, batch.map((w) => w.delivery))
      batch.forEach((w, i) => w.resolve(stored[i] as StoredDeliveryRef))
    } catch (err) {
      if (batch.length === 1 || isConnectionFailure(err)) {
        for (const w of batch) w.reject(err)
        return
      }
      for (const w of batch) {
        try {
          const [stored] = await storeDeliveries(db, [w.delivery])
          w.resolve(stored as StoredDeliveryRef)
        } catch (alone) {
          w.reject(alone)
        }
      }
    }
  }

  function pump (): void {
    scheduled = false
    while (inFlight < options.maxInFlight && queue.length > 0) {
      const batch = queue.splice(0, options.maxRows)
      inFlight++
      commit(batch).finally(() => {
        inFlight--
        if (queue.length > 0) schedule()
      }).catch(() => {}) // commit settles every request itself
    }
  }

  function schedule (): void {
    if (scheduled) return
    scheduled = true
    // requests parsed in the same turn of the event loop go into one statement
    setImmediate(pump)
  }

  return {
    /** resolves once the delivery is committed (or was already stored) */
    store (delivery: NewDelivery): Promise<StoredDeliveryRef> {
      return new Promise((resolve, reject) => {
        queue.push({ delivery, resolve, reject })
        schedule()
      })
    }
  }
}

export type GroupCommit = ReturnType<typeof createGroupCommit>
