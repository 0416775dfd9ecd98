/** Runs tasks with the same key one after another (others in parallel). */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>()

  async run<T> (key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve()
    let release!: () => void
    const tail = previous.then(() => new Promise<void>((resolve) => { release = resolve }))
    this.tails.set(key, tail)
    await previous
    try {
      return await task()
    } finally {
      release()
      if (this.tails.get(key) === tail) this.tails.delete(key)
    }
  }
}
