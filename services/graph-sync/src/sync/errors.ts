import { GraphRequestError } from '@m365/graph'
import { TokenUnavailableError } from '../graph/token-cache.js'

/** Another sync of the tenant holds its lease: the job waits (nak with backoff) instead of running beside it. */
export class TenantBusyError extends Error {
  override readonly name = 'TenantBusyError'
}

/** The worker is shutting down: the job goes back to the queue for another replica. */
export class InterruptedError extends Error {
  override readonly name = 'InterruptedError'
}

function find<T> (err: unknown, type: abstract new (...args: never[]) => T): T | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof type) return e
  }
  return undefined
}

/**
 * Worth another attempt soon? Throttling, outages, timeouts, database and bus trouble are; a
 * tenant tenant-auth will not serve, or Graph refusing the core reads (403/400/404), is not: that
 * needs a person, and the scheduler tries again next slot anyway.
 */
export function isRetryable (err: unknown): boolean {
  const token = find(err, TokenUnavailableError)
  if (token) return token.retryable
  if (err instanceof GraphRequestError) return err.status === 0 || err.status === 401 || err.status === 429 || err.status >= 500
  return true
}

/** One line for sync_runs.error and o365.sync.failed. */
export function describeError (err: unknown): string {
  const token = find(err, TokenUnavailableError)
  if (token) return `no Graph token (${token.code}): ${token.message}`
  if (err instanceof GraphRequestError) {
    return `Graph ${err.status === 0 ? 'gave no answer' : `answered HTTP ${err.status}`} (${err.code}): ${err.message}`
  }
  return err instanceof Error ? err.message : String(err)
}
