import type { EventBus } from '@m365/bus'
import { TokenRequest, type TokenErrorCode } from '@m365/contracts'

/** tenant-auth could not give a token: the tenant is gone or the identity platform is down. */
export class TokenUnavailableError extends Error {
  override readonly name = 'TokenUnavailableError'
  constructor (readonly code: TokenErrorCode | 'request_failed', message: string, options?: { cause?: unknown }) {
    super(message, options)
  }

  /** Only an identity platform outage (or no answer) is worth retrying soon. */
  get retryable (): boolean {
    return this.code === 'identity_unavailable' || this.code === 'request_failed'
  }
}

interface Cached { accessToken: string, renewAt: number }

export interface TokenCacheOptions {
  bus: EventBus
  /** Renew this long before expiry. */
  renewBeforeMs: number
  timeoutMs: number
  now?: () => number
}

/**
 * App-only Graph tokens from tenant-auth (tokens.get over NATS request/reply), cached per tenant
 * until shortly before they expire. Concurrent callers for one tenant share one request. After
 * `forget` (or `rejected`), the next request asks tenant-auth to skip its own cache too
 * (forceRefresh). Each tenant has a generation, moved on by forget, rejected and drop: a request
 * begun in an older generation is neither joined nor cached, so a token dropped while a request
 * was in flight (tenant-auth may answer with that very token from its cache) does not come back.
 */
export class TokenCache {
  readonly #tokens = new Map<string, Cached>()
  readonly #pending = new Map<string, { generation: number, token: Promise<string> }>()
  readonly #refresh = new Set<string>()
  readonly #generations = new Map<string, number>()
  /** Per tenant, the last token Graph refused, so the other calls it was refused to drop nothing more. */
  readonly #refused = new Map<string, string>()
  readonly #now: () => number

  constructor (private readonly options: TokenCacheOptions) {
    this.#now = options.now ?? Date.now
  }

  async get (tenantId: string): Promise<string> {
    const cached = this.#tokens.get(tenantId)
    if (cached && cached.renewAt > this.#now()) return cached.accessToken
    const generation = this.#generation(tenantId)
    let pending = this.#pending.get(tenantId)
    if (pending?.generation !== generation) {
      const entry = {
        generation,
        token: this.#request(tenantId, generation).finally(() => {
          if (this.#pending.get(tenantId) === entry) this.#pending.delete(tenantId)
        })
      }
      pending = entry
      this.#pending.set(tenantId, entry)
    }
    return await pending.token
  }

  /** Graph refused the tenant's token: the next one is fetched afresh, past tenant-auth's cache too. */
  forget (tenantId: string): void {
    this.#tokens.delete(tenantId)
    this.#refresh.add(tenantId)
    this.#nextGeneration(tenantId)
  }

  /**
   * Graph refused `token` (401) on one call: forget it, unless that was done already for this token
   * (several calls in flight carried it) or the tenant holds a newer token by now.
   */
  rejected (tenantId: string, token: string): void {
    if (this.#refused.get(tenantId) === token) return
    const cached = this.#tokens.get(tenantId)
    if (cached && cached.accessToken !== token) return
    this.#refused.set(tenantId, token)
    this.forget(tenantId)
  }

  /** The tenant went away: nothing of it is kept. */
  drop (tenantId: string): void {
    this.#tokens.delete(tenantId)
    this.#refresh.delete(tenantId)
    this.#refused.delete(tenantId)
    this.#nextGeneration(tenantId)
  }

  #generation (tenantId: string): number {
    return this.#generations.get(tenantId) ?? 0
  }

  #nextGeneration (tenantId: string): void {
    this.#generations.set(tenantId, this.#generation(tenantId) + 1)
  }

  async #request (tenantId: string, generation: number): Promise<string> {
    const forceRefresh = this.#refresh.delete(tenantId)
    let reply
    try {
      reply = await this.options.bus.request(TokenRequest, { tenantId, ...(forceRefresh && { forceRefresh }) }, { timeoutMs: this.options.timeoutMs })
    } catch (err) {
      if (forceRefresh) this.#refresh.add(tenantId)
      throw new TokenUnavailableError('request_failed', `no token from tenant-auth: ${(err as Error).message}`, { cause: err })
    }
    const current = generation === this.#generation(tenantId)
    if (!reply.ok) {
      if (current) this.#tokens.delete(tenantId)
      throw new TokenUnavailableError(reply.code, reply.message)
    }
    // Dropped while this request was in flight: the caller may use the token (it asked before the
    // drop, as a call already sent would have used the old one), but the cache keeps nothing of it.
    if (!current) return reply.accessToken
    const expiresAt = Date.parse(reply.expiresOn)
    // A token that lives less than the renewal margin is still cached for half its life.
    const margin = Math.min(this.options.renewBeforeMs, Math.max(0, (expiresAt - this.#now()) / 2))
    this.#tokens.set(tenantId, { accessToken: reply.accessToken, renewAt: expiresAt - margin })
    return reply.accessToken
  }
}
