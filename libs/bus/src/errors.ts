export type RequestFailure = 'no_responders' | 'timeout' | 'handler_error' | 'invalid_request' | 'invalid_reply' | 'closed'

/** A request that got no valid answer: nobody serves it, it timed out, or the server replied with an error. */
export class RequestFailedError extends Error {
  readonly code = 'REQUEST_FAILED'
  constructor (readonly subject: string, readonly reason: RequestFailure, message: string) {
    super(`request ${subject} failed (${reason}): ${message}`)
    this.name = 'RequestFailedError'
  }
}

/** Thrown by every bus method once `close()` has been called. */
export class BusClosedError extends Error {
  readonly code = 'BUS_CLOSED'
  constructor (what: string) {
    super(`${what}: the bus is closed`)
    this.name = 'BusClosedError'
  }
}

/**
 * In-process bus with publishAwaitsConsumers: the event was dropped before its consumers settled it
 * (the bus closed, or its subject's log was full), so the publisher must not count it as delivered.
 */
export class EventNotConsumedError extends Error {
  readonly code = 'EVENT_NOT_CONSUMED'
  constructor (readonly subject: string, readonly msgId: string) {
    super(`${subject} ${msgId} was dropped before its consumers settled it (bus closed or full)`)
    this.name = 'EventNotConsumedError'
  }
}

/**
 * The wait a handler's failure asks for before the message comes back: the `retryAfterMs` of the error or one of
 * its causes (a service answered 429 with Retry-After, say); 0 when none says. Sending it again sooner would only
 * be refused again, and count against the limit.
 */
export function retryAfterOf (err: unknown): number {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const ms = (e as { retryAfterMs?: unknown }).retryAfterMs
    if (typeof ms === 'number' && Number.isFinite(ms) && ms > 0) return ms
  }
  return 0
}

export function errorMessage (err: unknown): string {
  if (err instanceof Error) return err.message
  return String(err)
}
