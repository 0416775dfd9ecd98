import { setTimeout as delay } from 'node:timers/promises'

export interface RetryOptions {
  /** total attempts including the first; default 5 */
  attempts?: number
  /** first backoff ceiling; doubles per attempt; default 250 ms */
  baseDelayMs?: number
  /** backoff ceiling; default 30 s */
  maxDelayMs?: number
  /**
   * a longer Retry-After ends the retries (the PsaHttpError, with its retryAfterMs, is thrown) instead of asking again
   * before the PSA said: that would count against its limits; default 120 s
   */
  maxRetryAfterMs?: number
  /** 0 ≤ x < 1; default Math.random (full jitter) */
  random?: () => number
  signal?: AbortSignal
  onRetry?: (info: RetryInfo) => void
}

export interface RetryInfo { attempt: number, delayMs: number, status?: number, error: Error }

/** What a PsaHttpError keeps of the response body, in characters. */
export const RESPONSE_TEXT_LIMIT = 2048

/** An HTTP answer worth retrying or not; carries Retry-After when the server sent one. */
export class PsaHttpError extends Error {
  readonly code = 'PSA_HTTP_ERROR'
  /**
   * The start of the response body (RESPONSE_TEXT_LIMIT characters, then a note of how much was cut): an error page
   * can be large HTML, and the error is logged with it.
   */
  readonly responseText?: string
  constructor (
    readonly status: number,
    readonly method: string,
    readonly url: string,
    readonly retryAfterMs?: number,
    responseText?: string
  ) {
    super(`${method} ${url} answered ${status}${responseText ? `: ${responseText.slice(0, 200)}` : ''}`)
    this.name = 'PsaHttpError'
    if (responseText !== undefined) {
      this.responseText = responseText.length > RESPONSE_TEXT_LIMIT
        ? `${responseText.slice(0, RESPONSE_TEXT_LIMIT)}… (truncated: ${responseText.length} characters in all)`
        : responseText
    }
  }
}

const connectionCodes = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH',
  'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CLOSED'
])

/** 429 and 5xx except those that will not change by asking again (501 Not Implemented, 505). */
export function isRetryableStatus (status: number): boolean {
  return status === 429 || (status >= 500 && status !== 501 && status !== 505)
}

/** Connection refused/reset, timeouts and other transport failures (undici codes included, also as `cause`). */
export function isConnectionError (err: unknown): boolean {
  for (let e = err as { code?: unknown, name?: unknown, cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && connectionCodes.has(e.code)) return true
    if (e.name === 'TimeoutError') return true
  }
  return false
}

export function isRetryable (err: unknown): boolean {
  return err instanceof PsaHttpError ? isRetryableStatus(err.status) : isConnectionError(err)
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter (value: string | readonly string[] | undefined, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value
  if (typeof text !== 'string' || text.trim() === '') return undefined
  if (/^\d+(\.\d+)?$/.test(text.trim())) return Math.round(Number(text) * 1000)
  const at = Date.parse(text)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

/** Exponential backoff with full jitter: random in [0, min(max, base · 2^(attempt-1))). */
export function backoffDelay (attempt: number, options: RetryOptions = {}): number {
  const ceiling = Math.min(options.maxDelayMs ?? 30_000, (options.baseDelayMs ?? 250) * 2 ** (attempt - 1))
  return Math.floor((options.random ?? Math.random)() * ceiling)
}

/**
 * Runs `operation` until it succeeds, fails with something not retryable, or runs out of attempts.
 * Retryable: PsaHttpError with 429/5xx and connection errors. Retry-After wins over the backoff; one longer than
 * maxRetryAfterMs is the caller's to honour (the error is thrown, its retryAfterMs says how long).
 */
export async function withRetry<T> (operation: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = Math.max(1, options.attempts ?? 5)
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt)
    } catch (err) {
      if (attempt >= attempts || !isRetryable(err) || options.signal?.aborted) throw err
      const retryAfter = err instanceof PsaHttpError ? err.retryAfterMs : undefined
      if (retryAfter !== undefined && retryAfter > (options.maxRetryAfterMs ?? 120_000)) throw err
      const delayMs = retryAfter ?? backoffDelay(attempt, options)
      options.onRetry?.({ attempt, delayMs, error: err as Error, ...(err instanceof PsaHttpError ? { status: err.status } : {}) })
      await delay(delayMs, undefined, options.signal ? { signal: options.signal } : undefined)
    }
  }
}
