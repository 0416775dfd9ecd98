import { setTimeout as sleep } from 'node:timers/promises'

/** Milliseconds since an arbitrary origin, monotonic. */
export const now = (): number => performance.now()

/** Runs `fn` and returns what it returned with how long it took (ms). */
export async function timed<T> (fn: () => Promise<T>): Promise<{ value: T, ms: number }> {
  const start = now()
  const value = await fn()
  return { value, ms: now() - start }
}

/**
 * Polls `condition` every `intervalMs` until it returns something truthy, or throws after `timeoutMs`
 * naming `what`. The benchmark's clock is read by the caller, so the poll interval bounds the error
 * of a measured end time (keep it small next to what is measured).
 */
export async function waitFor<T> (
  what: string,
  condition: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  options: { timeoutMs?: number, intervalMs?: number } = {}
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 600_000)
  const interval = options.intervalMs ?? 50
  for (;;) {
    const value = await condition()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(interval)
  }
}

export function formatMs (ms: number): string {
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`
  return `${ms.toFixed(ms >= 100 ? 0 : 1)} ms`
}
