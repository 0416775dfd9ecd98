import { unit } from './random.js'
import type { FaultConfig, FaultRule } from './types.js'

export type Fault =
  | { type: 'throttle', retryAfterSeconds: number }
  | { type: 'unavailable', retryAfterSeconds?: number }
  | { type: 'drop' }

/**
 * Per-tenant fault injection. `everyNth` counts matching requests per rule, so it is exactly
 * reproducible; `probability` draws from a PRNG seeded by the tenant, so a run is repeatable too.
 */
export class FaultInjector {
  private config: FaultConfig | null = null
  private counters = { throttle: 0, unavailable: 0, drop: 0 }
  private draws = 0

  constructor (private readonly seed: number) {}

  set (config: FaultConfig | null) {
    this.config = config
    this.counters = { throttle: 0, unavailable: 0, drop: 0 }
    this.draws = 0
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

  decide (path: string): Fault | undefined {
    if (!this.config || !this.applies(path)) return undefined
    const { throttle429, unavailable503, dropConnection } = this.config
    if (this.fires(dropConnection, 'drop')) return { type: 'drop' }
    if (this.fires(throttle429, 'throttle')) return { type: 'throttle', retryAfterSeconds: throttle429?.retryAfterSeconds ?? 1 }
    if (this.fires(unavailable503, 'unavailable')) {
      const s = unavailable503?.retryAfterSeconds
      return s === undefined ? { type: 'unavailable' } : { type: 'unavailable', retryAfterSeconds: s }
    }
    return undefined
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
