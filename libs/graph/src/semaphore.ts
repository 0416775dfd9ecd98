/** At most `max` holders at once; waiters are served first come, first served. */
export class Semaphore {
  readonly max: number
  #active = 0
  readonly #waiting: Array<() => void> = []

  constructor (max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError('Semaphore needs an integer max >= 1')
    this.max = max
  }

  get active (): number { return this.#active }

  async run<T> (fn: () => Promise<T>): Promise<T> {
    if (this.#active >= this.max) await new Promise<void>((resolve) => this.#waiting.push(resolve))
    else this.#active++
    try {
      return await fn()
    } finally {
      const next = this.#waiting.shift()
      if (next) next() // the slot passes straight to the next waiter
      else this.#active--
    }
  }
}
