/** Remembers message ids for `windowMs`, like JetStream's duplicate window (one per stream). */
export class DedupeWindow {
  private readonly seen = new Map<string, number>()

  constructor (private readonly windowMs: number) {}

  /** True when `id` was seen within the window; otherwise remembers it. */
  isDuplicate (id: string, now = Date.now()): boolean {
    for (const [key, expires] of this.seen) {
      if (expires > now) break // insertion order is expiry order: the window is constant
      this.seen.delete(key)
    }
    if (this.seen.has(id)) return true
    this.seen.set(id, now + this.windowMs)
    return false
  }
}
