/** Polls `condition` until it holds; fails with `what` after the deadline. Never a fixed sleep. */
export async function waitFor (condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/** A promise the test resolves by hand (to hold a handler, or to learn that something happened). */
export function latch<T = void> (): { promise: Promise<T>, open: (value: T) => void, isOpen: () => boolean } {
  let open!: (value: T) => void
  let done = false
  const promise = new Promise<T>((resolve) => { open = (value) => { done = true; resolve(value) } })
  return { promise, open, isOpen: () => done }
}

/** A slow handler's body: runs this long on purpose (not a wait for a condition). */
export function busyFor (ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
