import type { Principal } from '@m365/api'

/** A verified token: its principal, until when it may be believed, and the key that verified it. */
export interface VerifiedToken {
  principal: Principal
  /** ms since the epoch: exp plus the clock tolerance, as jose accepts it */
  expiresAt: number
  /** the key object that verified the signature; a hit is believed only while the key source still hands out this very object */
  key: unknown
  /** the token's protected header (alg, kid): what asks the key source for the key again */
  header: { alg?: string, kid?: string }
}

/**
 * Verified tokens by their string, least recently used dropped beyond `maxEntries` (0: nothing kept).
 * Only successes are kept; an entry past its expiry is dropped when it is asked for.
 */
export class ClaimsCache {
  private readonly entries = new Map<string, VerifiedToken>()

  constructor (private readonly maxEntries: number) {}

  get size (): number { return this.entries.size }

  get (token: string, now = Date.now()): VerifiedToken | undefined {
    const entry = this.entries.get(token)
    if (!entry) return undefined
    this.entries.delete(token)
    if (entry.expiresAt <= now) return undefined
    this.entries.set(token, entry) // most recently used last
    return entry
  }

  set (token: string, entry: VerifiedToken): void {
    if (this.maxEntries === 0) return
    this.entries.delete(token)
    this.entries.set(token, entry)
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value
      if (oldest === undefined) break
      this.entries.delete(oldest)
    }
  }

  delete (token: string): void {
    this.entries.delete(token)
  }
}
