import { timingSafeEqual } from 'node:crypto'

/**
 * Constant-time comparison of two secrets or signatures (specs/psa-webhooks.md §1.3):
 * crypto.timingSafeEqual on equal-length buffers; a length mismatch is a mismatch.
 */
export function safeEqual (expected: string | Buffer, actual: string | Buffer): boolean {
  const a = typeof expected === 'string' ? Buffer.from(expected, 'utf8') : expected
  const b = typeof actual === 'string' ? Buffer.from(actual, 'utf8') : actual
  return a.length === b.length && timingSafeEqual(a, b)
}

/** Secrets as a non-empty list without blanks (one value, or several during a rotation grace period). */
export function secretList (secrets: string | readonly string[]): string[] {
  return (typeof secrets === 'string' ? [secrets] : [...secrets]).filter((s) => s.length > 0)
}
