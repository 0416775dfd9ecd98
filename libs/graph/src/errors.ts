/**
 * A Graph call that failed for good (after the retry policy gave up, or at once for non-retryable
 * answers). `status` is the HTTP status, 0 when no response came (timeout, connection reset);
 * `code` is Graph's `error.code` (branch on it and `status`, never on `message`).
 */
export class GraphRequestError extends Error {
  override readonly name = 'GraphRequestError'
  readonly status: number
  readonly code: string
  readonly requestId: string | null
  /** The 410 Location header, or other headers worth keeping. */
  readonly location: string | null
  /**
   * How long Graph asked to wait before this request is sent again (the last answer's Retry-After), when it
   * did: a job that fails on it comes back no sooner (@m365/bus reads `retryAfterMs`), since an early retry
   * is throttled again and counts against the limit (spec §6).
   */
  readonly retryAfterMs: number | null

  constructor (opts: {
    status: number, code: string, message: string, requestId?: string | null, location?: string | null, retryAfterMs?: number | null, cause?: unknown
  }) {
    super(opts.message, opts.cause === undefined ? undefined : { cause: opts.cause })
    this.status = opts.status
    this.code = opts.code
    this.requestId = opts.requestId ?? null
    this.location = opts.location ?? null
    this.retryAfterMs = opts.retryAfterMs ?? null
  }
}

export const PREMIUM_REQUIRED = 'Authentication_RequestFromNonPremiumTenantOrB2CTenant'
export const PERMISSION_DENIED = 'Authorization_RequestDenied'

const sameCode = (a: string, b: string) => a.toLowerCase() === b.toLowerCase()

/** 403 because the tenant has no Entra ID P1/P2 (or is B2C): the registration report is not available. */
export function isPremiumRequired (err: unknown): err is GraphRequestError {
  return err instanceof GraphRequestError && err.status === 403 && sameCode(err.code, PREMIUM_REQUIRED)
}

/** 403 because the app lacks the permission (not granted, or consent incomplete). */
export function isPermissionDenied (err: unknown): err is GraphRequestError {
  return err instanceof GraphRequestError && err.status === 403 &&
    (sameCode(err.code, PERMISSION_DENIED) || sameCode(err.code, 'accessDenied') || sameCode(err.code, 'Forbidden'))
}

/**
 * The delta token can no longer be used: expired (`syncStateNotFound`, 7 days), invalidated
 * (`resyncRequired`), or the service reset the sync state (410 Gone). Start a full round.
 */
export function isDeltaExpired (err: unknown): err is GraphRequestError {
  return err instanceof GraphRequestError &&
    (err.status === 410 || sameCode(err.code, 'syncStateNotFound') || sameCode(err.code, 'resyncRequired'))
}
