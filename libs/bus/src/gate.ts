/** Runs at most `limit` tasks at a time and lets a closer wait until none is running. */
export class Gate {
  private readonly running = new Set<Promise<void>>()
  private waiters: Array<() => void> = []

  constructor (readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`concurrency must be a positive integer, got ${limit}`)
  }

  get free (): number {
    return this.limit - this.running.size
  }

  /** Starts `task` now; callers check `free` first. Errors are the task's business: it must not throw. */
  run (task: () => Promise<void>, onDone?: () => void): void {
    const p: Promise<void> = Promise.resolve().then(task).catch(() => {}).finally(() => {
      this.running.delete(p)
      this.wake()
      onDone?.()
    })
    this.running.add(p)
  }

  /** Resolves when a slot is free (at once if one is). */
  slot (): Promise<void> {
    if (this.free > 0) return Promise.resolve()
    return new Promise((resolve) => this.waiters.push(resolve))
  }

  /** Resolves when nothing is running. */
  async idle (): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running])
  }

  private wake (): void {
    const waiters = this.waiters
    this.waiters = []
    for (const w of waiters) w()
  }
}

/** A promise with its resolve, for stop signals. */
export function signal (): { promise: Promise<void>, fire: () => void, fired: () => boolean } {
  let fire!: () => void
  let done = false
  const promise = new Promise<void>((resolve) => { fire = () => { done = true; resolve() } })
  return { promise, fire, fired: () => done }
}

/** Waits `ms`, or less when `stop` resolves first. */
export async function pause (ms: number, stop: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  await Promise.race([new Promise<void>((resolve) => { timer = setTimeout(resolve, ms) }), stop])
  clearTimeout(timer)
}

/** Waits for `p` at most `ms`; true when it settled in time. For shutdown steps that need the server. */
export async function atMost (p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const timedOut = new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), ms) })
  try {
    return await Promise.race([p.then(() => true, () => true), timedOut])
  } finally {
    clearTimeout(timer)
  }
}
