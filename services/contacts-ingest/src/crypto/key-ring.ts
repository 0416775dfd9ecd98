import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'

/**
 * AES-256-GCM for secrets at rest. A sealed value reads `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url parts);
 * the key id (first 8 bytes of SHA-256 of the key, hex) says which key opens it, so keys can rotate: the new key
 * seals, previous keys still open. `context` is bound as additional authenticated data: a value sealed for one
 * row and purpose does not open for another.
 */
export interface KeyRing {
  readonly currentKeyId: string
  seal (plaintext: string, context: string): string
  open (sealed: string, context: string): string
  /** the key id a sealed value names (without opening it) */
  keyIdOf (sealed: string): string
}

export class SealedValueError extends Error {
  override readonly name = 'SealedValueError'
}

const VERSION = 'v1'

export function keyId (key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16)
}

function parseKey (hex: string): Buffer {
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new TypeError('an encryption key must be 64 hex characters')
  return Buffer.from(hex, 'hex')
}

export function createKeyRing (currentHex: string, previousHex: readonly string[] = []): KeyRing {
  const current = parseKey(currentHex)
  const currentKeyId = keyId(current)
  const keys = new Map<string, Buffer>()
  for (const key of [current, ...previousHex.map(parseKey)]) {
    if (!keys.has(keyId(key))) keys.set(keyId(key), key)
  }

  function split (sealed: string): [string, Buffer, Buffer, Buffer] {
    const parts = sealed.split('.')
    if (parts.length !== 5 || parts[0] !== VERSION) throw new SealedValueError('not a sealed value')
    const [, kid, iv, tag, data] = parts as [string, string, string, string, string]
    return [kid, Buffer.from(iv, 'base64url'), Buffer.from(tag, 'base64url'), Buffer.from(data, 'base64url')]
  }

  return {
    currentKeyId,
    seal (plaintext, context) {
      const iv = randomBytes(12)
      const cipher = createCipheriv('aes-256-gcm', current, iv)
      cipher.setAAD(Buffer.from(context, 'utf8'))
      const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
      const parts = [iv, cipher.getAuthTag(), data].map((part) => part.toString('base64url'))
      return [VERSION, currentKeyId, ...parts].join('.')
    },
    open (sealed, context) {
      const [kid, iv, tag, data] = split(sealed)
      const key = keys.get(kid)
      if (!key) throw new SealedValueError(`no key with id ${kid} (set it in ENCRYPTION_KEYS_PREVIOUS)`)
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv)
        decipher.setAAD(Buffer.from(context, 'utf8'))
        decipher.setAuthTag(tag)
        return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8')
      } catch {
        throw new SealedValueError('sealed value does not open (wrong key, context or tampered)')
      }
    },
    keyIdOf: (sealed) => split(sealed)[0]
  }
}
