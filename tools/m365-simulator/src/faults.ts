import { unit } from './random.js'
import type { FaultConfig, FaultRule } from './types.js'

export type Fault =
  /** early: sent again before the Retry-After of its last 429 had passed (holdRetryAfter) */
  | { type: 'throttle', retryAfterSeconds: number, early?: boolean }
  | { type: 'unavailable', retryAfterSeconds?: number }
  | { type: 'drop' }

const HOLD_SLACK_MS = 20

/**
 * Per-tenant fault injection. `everyNth` counts matching requests per rule, so it is exactly
 * reproducible; `probability` draws from a PRNG seeded by the tenant, so a run is repeatable too.
 */
export class FaultInjector {
  private config: FaultConfig | null = null
  private counters = { throttle: 0, unavailable: 0, drop: 0, failedDependency: 0 }
  private fired = { throttle: 0, unavailable: 0 }
  private draws = 0
  /** method + path → when its Retry-After ends (holdRetryAfter) */
  private holds = new Map<string, number>()

  constructor (private readonly seed: number) {}

  set (config: FaultConfig | null) {
    this.config = config
    this.counters = { throttle: 0, unavailable: 0, drop: 0, failedDependency: 0 }
    this.fired = { throttle: 0, unavailable: 0 }
    this.draws = 0
    this.holds.clear()
  }

  get current () { return this.config }

  private applies (path: string) {
    const only = this.config?.onlyPaths
    return !only || only.length === 0 || only.some((p) => path.startsWith(p))
  }

  private fires (rule: FaultRule | undefined, counter: keyof FaultInjector['counters']) {
    if (!rule) return false
    const n = ++this.counters[counter]
    if (rule.everyNth && rule.everyNth > 0 && n % rule.everyNth === 0) return true
    return rule.probability !== undefined && unit(this.seed, ++this.draws, 99) < rule.probability
  }

  /** The rule's Retry-After for its next fault: the value, or the list's next one in turn. */
  private retryAfter (rule: FaultRule | undefined, kind: keyof FaultInjector['fired']): number | undefined {
    const n = this.fired[kind]++
    const v = rule?.retryAfterSeconds
    return Array.isArray(v) ? v[n % v.length] : v
  }

  /** Seconds left of the Retry-After `key` was last throttled with, or undefined when it has passed. */
  private held (key: string, now: number): number | undefined {
    const until = this.holds.get(key)
    if (until === undefined) return undefined
    // timers may fire a few ms early against Date.now(), and Graph is not exact to the ms either
    if (now >= until - HOLD_SLACK_MS) {
      this.holds.delete(key)
      return undefined
    }
    return Math.ceil(until - now) / 1000
  }

  /** `key` names the request for holdRetryAfter (method and path); the rules match on `path`. */
  decide (path: string, key = path, now = Date.now()): Fault | undefined {
    if (!this.config || !this.applies(path)) return undefined
    const { throttle429, unavailable503, dropConnection, holdRetryAfter } = this.config
    const left = holdRetryAfter ? this.held(key, now) : undefined
    if (left !== undefined) return { type: 'throttle', retryAfterSeconds: left, early: true }
    if (this.fires(dropConnection, 'drop')) return { type: 'drop' }
    if (this.fires(throttle429, 'throttle')) {
      const s = this.retryAfter(throttle429, 'throttle') ?? 1
      if (holdRetryAfter) this.holds.set(key, now + s * 1000)
      return { type: 'throttle', retryAfterSeconds: s }
    }
    if (this.fires(unavailable503, 'unavailable')) {
      const s = this.retryAfter(unavailable503, 'unavailable')
      return s === undefined ? { type: 'unavailable' } : { type: 'unavailable', retryAfterSeconds: s }
    }
    return undefined
  }

  /** Whether an inner request of a $batch answers 424 Failed Dependency instead of running. */
  failsDependency (path: string): boolean {
    return !!this.config && this.applies(path) && this.fires(this.config.failedDependency424, 'failedDependency')
  }

  delayMs (path: string) {
    return this.config?.slowPageMs && this.applies(path) ? this.config.slowPageMs : 0
  }
}

/**
 * Request-count window (e.g. 5 per 10 s). Rejected requests count too, as Graph's do; the
 * Retry-After it computes is when the window will have room again, so a client that waits it gets in.
 */
export class SlidingWindow {
  private stamps: number[] = []

  /** undefined = allowed; else seconds to wait */
  hit (limit: number, windowMs: number, now = Date.now()): number | undefined {
    this.stamps = this.stamps.filter((t) => t > now - windowMs)
    const over = this.stamps.length >= limit
    this.stamps.push(now)
    if (!over) return undefined
    const freeAt = this.stamps[this.stamps.length - limit]! + windowMs
    return Math.max(1, Math.ceil((freeAt - now) / 1000))
  }
}
