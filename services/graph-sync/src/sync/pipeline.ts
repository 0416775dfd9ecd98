/**
 * Writes each page (of Graph objects, or a batch of records to publish) while the next one is being
 * fetched: the source's next() is called before the current page is written, so a chain takes about
 * max(fetch, write) per page, not their sum. Returns the source's return value (a delta round's deltaLink).
 */
export async function pipePages<P, R> (source: AsyncGenerator<P, R, undefined>, write: (page: P) => Promise<void>): Promise<R> {
  let next = source.next()
  for (;;) {
    const result = await next
    if (result.done) return result.value
    next = source.next()
    // If the write fails, the prefetch may fail too (aborted); nobody awaits it then.
    next.catch(() => {})
    await write(result.value)
  }
}

/**
 * pipePages with up to `inFlight` writes running at once: a page's write starts (in page order, so
 * whatever it does before its first await runs in order) as soon as one of the earlier ones is done.
 * A failed write fails the whole; every write has settled before this returns or throws.
 */
export async function pipePagesConcurrently<P, R> (
  source: AsyncGenerator<P, R, undefined>, write: (page: P) => Promise<void>, inFlight: number
): Promise<R> {
  const writes = new BoundedWrites(inFlight)
  let result: R
  try {
    result = await pipePages(source, async (page) => { await writes.add(async () => { await write(page) }) })
  } catch (err) {
    await writes.drain().catch(() => {})
    throw err
  }
  await writes.drain()
  return result
}

/**
 * Runs independent tasks at once. The first failure aborts the others (through the signal they
 * were given) and is thrown once all have settled, so nothing keeps running behind the caller.
 */
export async function runAll<T extends readonly unknown[]> (
  parent: AbortSignal,
  tasks: { [K in keyof T]: (signal: AbortSignal) => Promise<T[K]> }
): Promise<T> {
  const controller = new AbortController()
  const signal = AbortSignal.any([parent, controller.signal])
  let first: { error: unknown } | undefined
  const settled = await Promise.allSettled(tasks.map(async (task) => {
    try {
      return await task(signal)
    } catch (error) {
      first ??= { error }
      controller.abort(error)
      throw error
    }
  }))
  if (first) throw first.error
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as unknown as T
}

/** fn over items with at most `limit` running at once; results in input order. */
export async function mapLimit<T, R> (items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length)
  let index = 0
  const worker = async () => {
    while (index < items.length) {
      const i = index++
      results[i] = await fn(items[i] as T)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}

/**
 * Writes that run in the background, at most `limit` at once: add() waits while that many are
 * running, and throws once one of them has failed; drain() waits for all of them and throws the
 * first failure. A failed write never becomes an unhandled rejection.
 */
export class BoundedWrites {
  readonly #running = new Set<Promise<void>>()
  #failure: { error: unknown } | undefined

  constructor (private readonly limit: number) {}

  async add (write: () => Promise<void>): Promise<void> {
    while (this.#running.size >= this.limit) await Promise.race(this.#running)
    this.#throwIfFailed()
    const running: Promise<void> = write()
      .catch((error: unknown) => { this.#failure ??= { error } })
      .finally(() => this.#running.delete(running))
    this.#running.add(running)
  }

  async drain (): Promise<void> {
    await Promise.all(this.#running)
    this.#throwIfFailed()
  }

  #throwIfFailed (): void {
    if (this.#failure) throw this.#failure.error
  }
}
