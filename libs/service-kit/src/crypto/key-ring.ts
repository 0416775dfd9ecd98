import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto'

/** A ciphertext and the id of the key that sealed it, for two columns: old rows stay readable after a rotation. */
export interface Sealed { keyId: string, ciphertext: string }

/** Unknown key id, a value that is not sealed, or a ciphertext (or its context) that was altered: GCM's tag did not verify. */
export class DecryptionError extends Error {
  override readonly name = 'DecryptionError'
}

/**
 * AES-256-GCM for secrets at rest and HMAC for signed values, from ENCRYPTION_KEY (the current key)
 * plus ENCRYPTION_KEYS_PREVIOUS (keys that still open and verify what was sealed before a rotation).
 * A service re-seals what an older key sealed when it reads it, or at start, so old keys can go.
 */
export interface KeyRing {
  readonly currentKeyId: string
  /**
   * `context` names the row and purpose (`tenant-credentials:<tenantId>:<appId>`): authenticated with the
   * key id, never stored, so a ciphertext copied to another row fails to open.
   */
  seal (plaintext: string, context: string): Sealed
  open (sealed: Sealed, context: string): string
  /** HMAC-SHA256 under a key derived from the current key for `purpose`. */
  sign (purpose: string, data: string): Buffer
  /** Constant-time check against every key of the ring (a rotation does not break values in flight). */
  verify (purpose: string, data: string, signature: Buffer): boolean
}

/** The same sealing for one string column: `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url parts). */
export interface CompactKeyRing {
  readonly currentKeyId: string
  seal (plaintext: string, context: string): string
  open (sealed: string, context: string): string
  /** the key id a sealed value names (without opening it): re-seal the value when it is not the current one */
  keyIdOf (sealed: string): string
}

const IV_BYTES = 12
const TAG_BYTES = 16
const HEX_KEY = /^[0-9a-fA-F]{64}$/
// The HKDF labels are part of the stored format: changing one orphans every sealed value and signature.
const LABEL = 'm365 tenant-auth'

const derive = (master: Buffer, info: string, length = 32) => Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), info, length))

/** The id compact values name a key by: 8 bytes from the key, hex (the key id of `Sealed` is its first 6). */
export const compactKeyId = (master: Buffer): string => derive(master, `${LABEL} key id`, 8).toString('hex')

interface RingKey { aes: Buffer, aad: Buffer }
type KeyOpener = (context: string) => RingKey

/**
 * Every key of the ring under every id a stored value may name it by. The id of `Sealed` (6 bytes) is
 * authenticated with the context; a compact value names the key by 8 bytes. Compact values that
 * contacts-ingest sealed before this ring was shared name the key by SHA-256 and used it as the AES key
 * with the context alone as AAD: they still open, and contacts-ingest re-seals them at start.
 */
function ringKeys (currentHex: string, previousHex: readonly string[]) {
  const masters = [currentHex, ...previousHex].map((hex) => {
    if (!HEX_KEY.test(hex)) throw new Error('an encryption key must be 64 hex characters')
    return Buffer.from(hex, 'hex')
  })
  const openers = new Map<string, KeyOpener>()
  for (const master of [...masters].reverse()) { // the current key wins an id collision
    const long = compactKeyId(master)
    const id = long.slice(0, 12)
    const aes = derive(master, `${LABEL} aes-256-gcm`)
    const opener: KeyOpener = (context) => ({ aes, aad: Buffer.from(`${id}|${context}`) })
    openers.set(id, opener)
    openers.set(long, opener)
    openers.set(createHash('sha256').update(master).digest('hex').slice(0, 16), (context) => ({ aes: master, aad: Buffer.from(context) }))
  }
  const current = masters[0] as Buffer
  const currentLong = compactKeyId(current)
  return { masters, openers, current, currentId: currentLong.slice(0, 12), currentLong }
}

type Keys = ReturnType<typeof ringKeys>

/** iv | tag | ciphertext under the current key */
function sealRaw (keys: Keys, plaintext: string, context: string): Buffer {
  const { aes, aad } = (keys.openers.get(keys.currentId) as KeyOpener)(context)
  const iv = randomBytes(IV_BYTES)
  const cipher = createCipheriv('aes-256-gcm', aes, iv).setAAD(aad)
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
  return Buffer.concat([iv, cipher.getAuthTag(), body])
}

function openRaw (keys: Keys, keyId: string, raw: Buffer, context: string): string {
  const opener = keys.openers.get(keyId)
  if (!opener) throw new DecryptionError(`no key with id ${keyId} in the key ring (add it to ENCRYPTION_KEYS_PREVIOUS)`)
  if (raw.length < IV_BYTES + TAG_BYTES) throw new DecryptionError('ciphertext is too short')
  const { aes, aad } = opener(context)
  try {
    const decipher = createDecipheriv('aes-256-gcm', aes, raw.subarray(0, IV_BYTES)).setAAD(aad)
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES))
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8')
  } catch {
    throw new DecryptionError('ciphertext or its context was altered')
  }
}

export function createKeyRing (currentHex: string, previousHex: readonly string[] = []): KeyRing {
  const keys = ringKeys(currentHex, previousHex)
  const hmac = (master: Buffer, purpose: string, data: string) =>
    createHmac('sha256', derive(master, `${LABEL} hmac ${purpose}`)).update(data).digest()
  return {
    currentKeyId: keys.currentId,
    seal: (plaintext, context) => ({ keyId: keys.currentId, ciphertext: sealRaw(keys, plaintext, context).toString('base64') }),
    open: ({ keyId, ciphertext }, context) => openRaw(keys, keyId, Buffer.from(ciphertext, 'base64'), context),
    sign: (purpose, data) => hmac(keys.current, purpose, data),
    verify (purpose, data, signature) {
      let ok = false
      for (const master of keys.masters) {
        const expected = hmac(master, purpose, data)
        // no early exit: every key is tried, each compare is constant-time
        if (expected.length === signature.length && timingSafeEqual(expected, signature)) ok = true
      }
      return ok
    }
  }
}

export function createCompactKeyRing (currentHex: string, previousHex: readonly string[] = []): CompactKeyRing {
  const keys = ringKeys(currentHex, previousHex)
  const parse = (sealed: string) => {
    const parts = sealed.split('.')
    if (parts.length !== 5 || parts[0] !== 'v1') throw new DecryptionError('not a sealed value')
    const [, keyId, ...raw] = parts as [string, string, string, string, string]
    return { keyId, raw: raw.map((part) => Buffer.from(part, 'base64url')) }
  }
  return {
    currentKeyId: keys.currentLong,
    seal (plaintext, context) {
      const raw = sealRaw(keys, plaintext, context)
      const parts = [raw.subarray(0, IV_BYTES), raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES), raw.subarray(IV_BYTES + TAG_BYTES)]
      return ['v1', keys.currentLong, ...parts.map((part) => part.toString('base64url'))].join('.')
    },
    open (sealed, context) {
      const { keyId, raw } = parse(sealed)
      if (raw[0]?.length !== IV_BYTES || raw[1]?.length !== TAG_BYTES) throw new DecryptionError('not a sealed value')
      return openRaw(keys, keyId, Buffer.concat(raw), context)
    },
    keyIdOf: (sealed) => parse(sealed).keyId
  }
}

/** ENCRYPTION_KEYS_PREVIOUS as a list. */
export const previousKeys = (value: string | undefined): string[] => value ? value.split(',').map((k) => k.trim()).filter(Boolean) : []

/** What EncryptionConfig gives a service. */
export interface EncryptionKeys { ENCRYPTION_KEY: string, ENCRYPTION_KEYS_PREVIOUS?: string | undefined }

export const keyRingFromConfig = (config: EncryptionKeys): KeyRing =>
  createKeyRing(config.ENCRYPTION_KEY, previousKeys(config.ENCRYPTION_KEYS_PREVIOUS))

export const compactKeyRingFromConfig = (config: EncryptionKeys): CompactKeyRing =>
  createCompactKeyRing(config.ENCRYPTION_KEY, previousKeys(config.ENCRYPTION_KEYS_PREVIOUS))
