/**
 * Polls `check` until it returns a value other than undefined (or false), with a short growing delay
 * (or every `pollMs` when given, to catch a brief state); fails after `timeoutMs` naming what it
 * waited for and the last error `check` threw, if any.
 * Never a fixed sleep: every wait in the e2e suite is a condition with a deadline.
 */
export async function waitFor<T> (what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 60_000, pollMs?: number): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let lastError: unknown
  for (let delay = pollMs ?? 20; ; delay = pollMs ?? Math.min(delay * 2, 500)) {
    try {
      const value = await check()
      if (value !== undefined && value !== false) return value
      lastError = undefined
    } catch (err) {
      if (err instanceof GiveUp) throw err.cause
      lastError = err
    }
    if (Date.now() > deadline) {
      const why = lastError ? `; last error: ${(lastError as Error).message ?? String(lastError)}` : ''
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`)
    }
    await new Promise((resolve) => setTimeout(resolve, delay))
  }
}

/** Thrown inside a waitFor check: stop waiting at once and fail with `cause` (e.g. a sync that failed for good). */
export class GiveUp extends Error {
  constructor (override readonly cause: Error) {
    super(cause.message)
  }
}
