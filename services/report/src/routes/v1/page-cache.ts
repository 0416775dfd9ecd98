/**
 * Serialized answers by key, least recently used dropped once their bytes exceed `maxBytes`. For
 * content that never changes under its key (a ready version's pages: versions are immutable), so an
 * entry is never stale; who may read it is decided on every request before the cache is asked.
 */
export class PageCache {
  private readonly entries = new Map<string, Buffer>()
  private bytes = 0

  constructor (private readonly maxBytes: number) {}

  get size (): { entries: number, bytes: number } { return { entries: this.entries.size, bytes: this.bytes } }

  get (key: string): Buffer | undefined {
    const body = this.entries.get(key)
    if (body === undefined) return undefined
    this.entries.delete(key)
    this.entries.set(key, body) // most recently used last
    return body
  }

  set (key: string, body: Buffer): void {
    if (body.length > this.maxBytes) return
    const previous = this.entries.get(key)
    if (previous) {
      this.entries.delete(key)
      this.bytes -= previous.length
    }
    this.entries.set(key, body)
    this.bytes += body.length
    for (const [oldest, old] of this.entries) {
      if (this.bytes <= this.maxBytes) break
      this.entries.delete(oldest)
      this.bytes -= old.length
    }
  }
}

/** Whether an If-None-Match header names `etag` (weak comparison, RFC 9110 §13.1.2), or is `*`. */
export function matchesEtag (ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false
  return ifNoneMatch.split(',').some((tag) => {
    const trimmed = tag.trim()
    return trimmed === '*' || trimmed.replace(/^W\//, '') === etag
  })
}
