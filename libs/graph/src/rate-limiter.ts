import { setTimeout as delay } from 'node:timers/promises'

export interface RateLimiterOptions {
  /** Requests allowed per interval. */
  limit: number
  intervalMs: number
  /** Clock and timer, replaceable in tests. */
  now?: () => number
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
}

const realSleep = (ms: number, signal?: AbortSignal) => delay(ms, undefined, signal ? { signal } : undefined)

/**
 * At most `limit` grants in any window of `intervalMs` (a sliding log: exact for limits such as
 * Entra's "5 requests per 10 s per app per tenant" on reports). Waiters are served in order; a
 * waiter sleeps on a timer, so nothing else in the process is held up while report paging waits.
 */
export class RateLimiter {
  readonly limit: number
  readonly intervalMs: number
  readonly #now: () => number
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>
  #granted: number[] = []
  #tail: Promise<void> = Promise.resolve()

  constructor (opts: RateLimiterOptions) {
    if (!(opts.limit >= 1) || !(opts.intervalMs > 0)) throw new RangeError('RateLimiter needs limit >= 1 and intervalMs > 0')
    this.limit = opts.limit
    this.intervalMs = opts.intervalMs
    this.#now = opts.now ?? Date.now
    this.#sleep = opts.sleep ?? realSleep
  }

  /** Resolves when the caller may send one request; rejects if `signal` aborts first. */
  async take (signal?: AbortSignal): Promise<void> {
    const before = this.#tail
    let done!: () => void
    this.#tail = new Promise((resolve) => { done = resolve })
    try {
      await before
      await this.#slot(signal)
    } finally {
      done()
    }
  }

  async #slot (signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted()
      const now = this.#now()
      this.#granted = this.#granted.filter((at) => at > now - this.intervalMs)
      const oldest = this.#granted[0]
      if (this.#granted.length < this.limit || oldest === undefined) {
        this.#granted.push(now)
        return
      }
      await this.#sleep(oldest + this.intervalMs - now, signal)
    }
  }
}

/**
 * Entra's documented limit for identity and access reports (spec §4.1): 5 requests / 10 s per app
 * per tenant, unless told otherwise. The window is half a second longer than Graph's, because Graph
 * counts arrivals and a first request that spent longer connecting could otherwise still be in its window.
 */
export const reportRateLimit = (requestsPer10s = 5): RateLimiter => new RateLimiter({ limit: requestsPer10s, intervalMs: 10_500 })
