import type { Context, MiddlewareOptions } from '@microsoft/microsoft-graph-client'
import type { RateLimiter } from './rate-limiter.js'

/**
 * Per-request settings and state shared by our middlewares, passed through the SDK's
 * `.middlewareOptions([...])` (the SDK keys middleware options by constructor).
 */
export class RequestControl implements MiddlewareOptions {
  /** Send this absolute URL as it is (an @odata.nextLink / deltaLink), not the SDK's rebuilt one. */
  verbatimUrl?: string
  /** Take a grant from this limiter before every attempt (retries count against Graph's limits too). */
  limiter?: RateLimiter
  signal?: AbortSignal
  /** Set by the retry middleware: how many attempts were made, and the last transport error. */
  attempts = 0
  lastError?: unknown

  constructor (init: Partial<Pick<RequestControl, 'verbatimUrl' | 'limiter' | 'signal'>> = {}) {
    if (init.verbatimUrl !== undefined) this.verbatimUrl = init.verbatimUrl
    if (init.limiter !== undefined) this.limiter = init.limiter
    if (init.signal !== undefined) this.signal = init.signal
  }
}

export function controlOf (context: Context): RequestControl | undefined {
  const found = context.middlewareControl?.getMiddlewareOptions(RequestControl)
  return found instanceof RequestControl ? found : undefined
}
