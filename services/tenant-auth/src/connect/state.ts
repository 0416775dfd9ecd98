import { createHash, randomBytes } from 'node:crypto'
import type { KeyRing } from '@m365/service-kit'

const PURPOSE = 'connect-state'
const NONCE_BYTES = 32 // 256 bits: far beyond guessing
const PART = /^[A-Za-z0-9_-]{43}$/ // 32 bytes in base64url

export interface MintedState {
  /** What travels through Microsoft and back: `<nonce>.<hmac>`. */
  state: string
  /** The server-side row key: sha256 of the nonce, so the table alone cannot forge a callback. */
  id: string
}

const idOf = (nonce: string) => createHash('sha256').update(nonce).digest('hex')

export function mintState (ring: KeyRing): MintedState {
  const nonce = randomBytes(NONCE_BYTES).toString('base64url')
  return { state: `${nonce}.${ring.sign(PURPOSE, nonce).toString('base64url')}`, id: idOf(nonce) }
}

/**
 * The row id of a well-formed state whose signature verifies (constant-time), else undefined.
 * Expiry and single use are the row's business.
 */
export function verifyState (ring: KeyRing, value: string | undefined): string | undefined {
  const parts = value?.split('.')
  if (parts?.length !== 2) return undefined
  const [nonce, signature] = parts as [string, string]
  if (!PART.test(nonce) || !PART.test(signature)) return undefined
  return ring.verify(PURPOSE, nonce, Buffer.from(signature, 'base64url')) ? idOf(nonce) : undefined
}
