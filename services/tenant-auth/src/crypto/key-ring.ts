import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto'

/** A ciphertext and the id of the key that sealed it; both are stored, so old rows stay readable after a rotation. */
export interface Sealed { keyId: string, ciphertext: string }

/** Unknown key id, or a ciphertext (or its context) that was altered: GCM's tag did not verify. */
export class DecryptionError extends Error {
  override readonly name = 'DecryptionError'
}

/**
 * AES-256-GCM for secrets at rest and HMAC for signed values, from ENCRYPTION_KEY (the current key)
 * plus ENCRYPTION_KEYS_PREVIOUS (read-only keys for rows sealed before a rotation).
 */
export interface KeyRing {
  readonly currentKeyId: string
  /** `context` (e.g. `tenant-credentials:<tenantId>`) is authenticated, not stored: a ciphertext moved to another row fails to open. */
  seal (plaintext: string, context: string): Sealed
  open (sealed: Sealed, context: string): string
  /** HMAC-SHA256 under a key derived from the current key for `purpose`. */
  sign (purpose: string, data: string): Buffer
  /** Constant-time check against every key of the ring (a rotation does not break values in flight). */
  verify (purpose: string, data: string, signature: Buffer): boolean
}

const IV_BYTES = 12
const TAG_BYTES = 16
const HEX_KEY = /^[0-9a-fA-F]{64}$/

interface RingKey { id: string, master: Buffer, aes: Buffer }

const derive = (master: Buffer, info: string, length = 32) => Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), info, length))

function ringKey (hex: string): RingKey {
  if (!HEX_KEY.test(hex)) throw new Error('an encryption key must be 64 hex characters')
  const master = Buffer.from(hex, 'hex')
  return { id: derive(master, 'm365 tenant-auth key id', 6).toString('hex'), master, aes: derive(master, 'm365 tenant-auth aes-256-gcm') }
}

export function createKeyRing (currentHex: string, previousHex: readonly string[] = []): KeyRing {
  const current = ringKey(currentHex)
  const keys = new Map<string, RingKey>([[current.id, current]])
  for (const hex of previousHex) {
    const key = ringKey(hex)
    if (!keys.has(key.id)) keys.set(key.id, key)
  }
  const aad = (keyId: string, context: string) => Buffer.from(`${keyId}|${context}`)
  const hmac = (key: RingKey, purpose: string, data: string) =>
    createHmac('sha256', derive(key.master, `m365 tenant-auth hmac ${purpose}`)).update(data).digest()

  return {
    currentKeyId: current.id,
    seal (plaintext, context) {
      const iv = randomBytes(IV_BYTES)
      const cipher = createCipheriv('aes-256-gcm', current.aes, iv).setAAD(aad(current.id, context))
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
      return { keyId: current.id, ciphertext: Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64') }
    },
    open ({ keyId, ciphertext }, context) {
      const key = keys.get(keyId)
      if (!key) throw new DecryptionError(`no key with id ${keyId} in the key ring (add it to ENCRYPTION_KEYS_PREVIOUS)`)
      const raw = Buffer.from(ciphertext, 'base64')
      if (raw.length < IV_BYTES + TAG_BYTES) throw new DecryptionError('ciphertext is too short')
      try {
        const decipher = createDecipheriv('aes-256-gcm', key.aes, raw.subarray(0, IV_BYTES)).setAAD(aad(keyId, context))
        decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES))
        return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8')
      } catch {
        throw new DecryptionError('ciphertext or its context was altered')
      }
    },
    sign: (purpose, data) => hmac(current, purpose, data),
    verify (purpose, data, signature) {
      let ok = false
      for (const key of keys.values()) {
        const expected = hmac(key, purpose, data)
        // no early exit: every key is tried, each compare is constant-time
        if (expected.length === signature.length && timingSafeEqual(expected, signature)) ok = true
      }
      return ok
    }
  }
}

/** ENCRYPTION_KEYS_PREVIOUS as a list. */
export const previousKeys = (value: string | undefined): string[] => value ? value.split(',').map((k) => k.trim()).filter(Boolean) : []
