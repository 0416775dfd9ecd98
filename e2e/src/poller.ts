export interface Poller<T> {
  /** every observation so far, in order */
  readonly seen: T[]
  /** errors thrown by the observer (each one a read that failed) */
  readonly errors: Error[]
  /** stops after the observation in flight and resolves with everything seen */
  stop (): Promise<T[]>
}

/**
 * Observes something over and over in the background (e.g. what readers of the API see while a
 * process is killed), one observation at a time, until stopped. Errors are collected, not thrown:
 * the test asserts on them once it is done.
 */
export function startPoller<T> (observe: () => Promise<T>, options: { pauseMs?: number } = {}): Poller<T> {
  const seen: T[] = []
  const errors: Error[] = []
  const state = { running: true }
  const loop = (async () => {
    while (state.running) {
      try {
        seen.push(await observe())
      } catch (err) {
        errors.push(err as Error)
      }
      await new Promise((resolve) => setTimeout(resolve, options.pauseMs ?? 50)) // pacing, not a wait for a condition
    }
  })()
  return {
    seen,
    errors,
    async stop () {
      state.running = false
      await loop
      return seen
    }
  }
}
