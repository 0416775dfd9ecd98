/** Exponential backoff with jitter in [ceiling/2, ceiling): attempt 1 → base, doubling up to max. */
export function retryDelayMs (attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1))
  return Math.floor(ceiling / 2 + random() * (ceiling / 2))
}
