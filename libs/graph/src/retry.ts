import { randomUUID } from 'node:crypto'
import { setTimeout as delay } from 'node:timers/promises'
import type { Context, Middleware } from '@microsoft/microsoft-graph-client'
import { controlOf } from './request-control.js'
import type { GraphLogger } from './logger.js'

export interface RetryOptions {
  /** Attempts in all, the first included. */
  maxAttempts?: number
  /** Backoff without Retry-After: a random wait in [0, min(maxDelayMs, baseDelayMs · 2^(attempt-1))]. */
  baseDelayMs?: number
  maxDelayMs?: number
  /** A Retry-After longer than this ends the retries (the call fails) instead of retrying early. */
  maxRetryAfterMs?: number
  /** Per attempt, headers and body included. */
  timeoutMs?: number
}

export type RetryPolicy = Required<RetryOptions>

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 6,
  baseDelayMs: 1000,
  maxDelayMs: 60_000,
  maxRetryAfterMs: 120_000,
  timeoutMs: 60_000
}

/** Throttled, unavailable, gateway timeout (spec §6). */
export const RETRYABLE_STATUS: ReadonlySet<number> = new Set([429, 503, 504])

const TRANSIENT_CODES = new Set([
  'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CLOSED'
])

/** A per-attempt timeout or a connection reset: worth another attempt. */
export function isTransientError (err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (e.name === 'TimeoutError') return true
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return true
  }
  return false
}

/** Retry-After as milliseconds: delta-seconds (fractions allowed) or an HTTP date; null if absent or unreadable. */
export function parseRetryAfter (value: string | null | undefined, now = Date.now()): number | null {
  if (value == null || value.trim() === '') return null
  const text = value.trim()
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000)
  // An HTTP date ("Wed, 21 Oct 2015 07:28:00 GMT") has letters; Date.parse alone would take "-3".
  const at = /[a-z]/i.test(text) ? Date.parse(text) : Number.NaN
  return Number.isNaN(at) ? null : Math.max(0, at - now)
}

/** Exponential backoff with full jitter for the given 1-based attempt that just failed. */
export function backoffDelay (attempt: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>, random = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1))
  return Math.floor(random() * ceiling)
}

/**
 * The one retry policy of our Graph client, in place of the SDK's RetryHandler. It sits first in
 * the middleware chain, so every attempt gets a fresh Authorization header (a token can expire
 * during a long backoff) and fresh telemetry headers. A 401 (the token expired early or was
 * revoked) is reported through `tokenRejected` and sent again at once, once per call: the next
 * attempt asks for a token afresh; a 401 after that is the call's answer.
 */
export class RetryMiddleware implements Middleware {
  #next!: Middleware
  readonly #policy: RetryPolicy
  readonly #log: GraphLogger
  readonly #tokenRejected: ((token: string) => void) | undefined

  constructor (policy: RetryPolicy, log: GraphLogger, tokenRejected?: (token: string) => void) {
    this.#policy = policy
    this.#log = log
    this.#tokenRejected = tokenRejected
  }

  setNext (next: Middleware): void { this.#next = next }

  async execute (context: Context): Promise<void> {
    const control = controlOf(context)
    const headers = { ...(context.options?.headers as Record<string, string> | undefined) }
    // One client-request-id for all attempts, so Microsoft can correlate the retries of one call.
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'client-request-id')) headers['client-request-id'] = randomUUID()
    const base = { ...context.options, headers }
    const { maxAttempts } = this.#policy
    let tokenRenewed = false
    for (let attempt = 1; ; attempt++) {
      context.options = { ...base, headers: { ...base.headers } }
      if (control) control.attempts = attempt
      let waitMs: number
      let why: Record<string, unknown>
      try {
        await this.#next.execute(context)
        const response = context.response
        if (response?.status === 401 && !tokenRenewed && this.#tokenRejected) {
          const token = bearerOf(context)
          if (token !== undefined) {
            tokenRenewed = true
            this.#tokenRejected(token)
            this.#log.debug({ status: 401, attempt, requestId: response.headers.get('request-id'), url: pathOf(context) }, 'graph request retry with a fresh token')
            continue
          }
        }
        if (!response || !RETRYABLE_STATUS.has(response.status) || attempt >= maxAttempts) return
        const retryAfter = parseRetryAfter(response.headers.get('retry-after'))
        if (retryAfter !== null && retryAfter > this.#policy.maxRetryAfterMs) return
        waitMs = retryAfter ?? backoffDelay(attempt, this.#policy)
        why = { status: response.status, retryAfter: response.headers.get('retry-after'), requestId: response.headers.get('request-id') }
      } catch (err) {
        if (control) control.lastError = err
        if (!isTransientError(err) || attempt >= maxAttempts || control?.signal?.aborted) throw err
        waitMs = backoffDelay(attempt, this.#policy)
        why = { error: (err as Error).name, code: causeCode(err) }
      }
      this.#log.debug({ ...why, attempt, maxAttempts, delayMs: waitMs, url: pathOf(context) }, 'graph request retry')
      await delay(waitMs, undefined, control?.signal ? { signal: control.signal } : undefined)
    }
  }
}

/** The token the auth middleware put on this attempt (its Authorization header), if any. */
function bearerOf (context: Context): string | undefined {
  const headers = context.options?.headers as Record<string, string> | undefined
  const value = headers?.Authorization ?? headers?.authorization
  const m = value === undefined ? null : /^Bearer\s+(\S+)$/i.exec(value)
  return m?.[1]
}

function causeCode (err: unknown): string | undefined {
  const code = (err as { cause?: { code?: unknown } }).cause?.code
  return typeof code === 'string' ? code : undefined
}

function pathOf (context: Context): string {
  const url = typeof context.request === 'string' ? context.request : context.request.url
  try { return new URL(url).pathname } catch { return url }
}
