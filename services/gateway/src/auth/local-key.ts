import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, SignJWT, type CryptoKey, type JWK } from 'jose'
import { claimsFor, type Principal, type TokenRole } from '@m365/api'

/** The single-process mode's own issuer: no identity provider, tokens signed with a key kept under ./data. */
export const LOCAL_ISSUER = 'urn:m365-insight:local'
export const LOCAL_AUDIENCE = 'urn:m365-insight:api'
const ALG = 'ES256'

export interface LocalSigningKey {
  kid: string
  privateKey: CryptoKey
  publicKey: CryptoKey
  /** what a JWKS would publish */
  publicJwk: JWK
  issuer: string
  audience: string
}

/**
 * The ES256 key in `file` (a private JWK), generated and written (mode 0600) when the file does not
 * exist yet. Concurrent first starts agree on one key: the file is created exclusively.
 */
export async function ensureLocalSigningKey (file: string): Promise<LocalSigningKey> {
  const existing = await readKeyFile(file)
  if (existing) return await fromJwk(existing, file)
  const { privateKey } = await generateKeyPair(ALG, { extractable: true })
  const jwk = await exportJWK(privateKey)
  const stored: JWK = { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: ALG, use: 'sig' }
  await mkdir(dirname(file), { recursive: true })
  try {
    await writeFile(file, JSON.stringify(stored, null, 2) + '\n', { mode: 0o600, flag: 'wx' })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    return await ensureLocalSigningKey(file) // another process wrote it first: use theirs
  }
  return await fromJwk(stored, file)
}

async function readKeyFile (file: string): Promise<JWK | undefined> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
  try {
    return JSON.parse(text) as JWK
  } catch {
    throw new Error(`${file} is not a JSON Web Key; remove it to generate a new one`)
  }
}

async function fromJwk (jwk: JWK, file: string): Promise<LocalSigningKey> {
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.d !== 'string') {
    throw new Error(`${file} does not hold an ES256 (P-256) private JWK; remove it to generate a new one`)
  }
  const { d: _private, ...publicJwk } = jwk
  const kid = jwk.kid ?? await calculateJwkThumbprint(publicJwk)
  return {
    kid,
    privateKey: await importJWK(jwk, ALG) as CryptoKey,
    publicKey: await importJWK(publicJwk, ALG) as CryptoKey,
    publicJwk: { ...publicJwk, kid, alg: ALG, use: 'sig' },
    issuer: LOCAL_ISSUER,
    audience: LOCAL_AUDIENCE
  }
}

export interface MintOptions {
  role: TokenRole
  /** required for role client */
  clientId?: string
  /** default: local-msp, or local-client-<clientId> */
  sub?: string
  /** seconds, or a jose time span such as '12h' or '30d'; default 12h */
  ttl?: number | string
}

/** A bearer token the gateway accepts in the single-process mode. */
export async function mintToken (key: LocalSigningKey, options: MintOptions): Promise<string> {
  const principal = principalFor(options)
  const ttl = options.ttl ?? '12h'
  return await new SignJWT({ ...claimsFor(principal) })
    .setProtectedHeader({ alg: ALG, kid: key.kid, typ: 'JWT' })
    .setIssuer(key.issuer)
    .setAudience(key.audience)
    .setIssuedAt()
    .setExpirationTime(typeof ttl === 'number' ? Math.floor(Date.now() / 1000) + ttl : ttl)
    .sign(key.privateKey)
}

function principalFor ({ role, clientId, sub }: MintOptions): Principal {
  if (role === 'msp') return { role, sub: sub ?? 'local-msp' }
  if (role !== 'client') throw new Error(`role must be msp or client, not ${String(role)}`)
  if (!clientId || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(clientId)) {
    throw new Error('a client token needs the client\'s id (a uuid)')
  }
  return { role, sub: sub ?? `local-client-${clientId.toLowerCase()}`, clientId: clientId.toLowerCase() }
}
