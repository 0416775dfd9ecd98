/** Redelivery delays by attempt (1-based): the last step repeats, so the delay is capped. */
export function stepBackoff (steps: readonly number[]): (attempt: number) => number {
  if (steps.length === 0) throw new Error('stepBackoff needs at least one step')
  return (attempt) => steps[Math.min(Math.max(attempt, 1), steps.length) - 1] as number
}

/** 1 s, 5 s, 30 s, then 2 min for every later attempt. */
export const defaultBackoff = stepBackoff([1_000, 5_000, 30_000, 120_000])
