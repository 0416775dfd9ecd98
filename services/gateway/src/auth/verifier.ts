import { createRemoteJWKSet, errors, jwtVerify, type CryptoKey, type FlattenedJWSInput, type JWTHeaderParameters, type JWTVerifyGetKey } from 'jose'
import { principalFromClaims, type Principal } from '@m365/api'
import type { TokenSource } from '../config.js'
import { ClaimsCache } from './claims-cache.js'
import { ensureLocalSigningKey } from './local-key.js'

/** The token is missing, malformed, expired, foreign-signed or for someone else: 401, and why. */
export class TokenRejected extends Error {
  override readonly name = 'TokenRejected'
}

/** The identity provider's keys cannot be fetched: not the caller's fault (503). */
export class TokenKeysUnavailable extends Error {
  override readonly name = 'TokenKeysUnavailable'
}

export type VerifyToken = (token: string) => Promise<Principal>

/** The verifier, and how many verified tokens it keeps. */
export type CachingVerifier = VerifyToken & { readonly cachedTokens: number }

const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA']

/**
 * Verifies bearer JWTs with jose: signature (the JWKS's keys or the local key), iss, aud, exp/nbf
 * (with clock tolerance), then the role claims. Keys of a JWKS are cached and refetched on an unknown kid.
 * @see https://github.com/panva/jose/blob/main/docs/jwks/remote/functions/createRemoteJWKSet.md
 */
export interface VerifierOptions {
  clockToleranceSeconds: number
  /** JWKS: an unknown kid refetches the keys at most this often */
  jwksCooldownMs?: number
  /** JWKS: keys are refetched after this long */
  jwksCacheMs?: number
  /** verified tokens kept (least recently used dropped); 0 verifies every request; default 10,000 */
  claimsCacheEntries?: number
}

export async function createTokenVerifier (source: TokenSource, options: VerifierOptions): Promise<CachingVerifier> {
  let getKey: JWTVerifyGetKey
  let issuer: string
  let audience: string
  let algorithms: string[]
  if (source.kind === 'local') {
    const local = await ensureLocalSigningKey(source.file)
    getKey = async () => local.publicKey
    ;({ issuer, audience } = local)
    algorithms = ['ES256']
  } else {
    getKey = createRemoteJWKSet(new URL(source.url), {
      timeoutDuration: 5_000, cooldownDuration: options.jwksCooldownMs ?? 30_000, cacheMaxAge: options.jwksCacheMs ?? 600_000
    })
    ;({ issuer, audience } = source)
    algorithms = ASYMMETRIC
  }
  const verifyOptions = { issuer, audience, algorithms, clockTolerance: options.clockToleranceSeconds, requiredClaims: ['exp', 'sub'] }
  const cache = new ClaimsCache(options.claimsCacheEntries ?? 10_000)

  /**
   * A token verified before is believed without its signature check while the key source still hands
   * out the very key object that verified it: a JWKS refetch (its cache age, or an unknown kid) builds
   * new key objects, so every cached token is verified again against the keys as they are now, and a
   * key withdrawn from the JWKS rejects its tokens exactly when it would without the cache.
   */
  async function cached (token: string): Promise<Principal | undefined> {
    const hit = cache.get(token)
    if (!hit) return undefined
    try {
      if (await getKey(hit.header as JWTHeaderParameters, undefined as never) === hit.key) return hit.principal
    } catch {
      // the full verification below says why
    }
    cache.delete(token)
    return undefined
  }

  const verify: VerifyToken = async (token) => {
    const known = await cached(token)
    if (known) return known
    let payload: Record<string, unknown>
    let header: JWTHeaderParameters
    let key: unknown
    try {
      ({ payload, protectedHeader: header } = await jwtVerify(token, async (protectedHeader: JWTHeaderParameters, jws: FlattenedJWSInput) => {
        key = await getKey(protectedHeader, jws)
        return key as CryptoKey
      }, verifyOptions))
    } catch (err) {
      throw classify(err)
    }
    const result = principalFromClaims(payload)
    if ('error' in result) throw new TokenRejected(result.error)
    const expiresAt = ((payload.exp as number) + options.clockToleranceSeconds) * 1000
    cache.set(token, { principal: Object.freeze(result.principal), expiresAt, key, header: { alg: header.alg, kid: header.kid } })
    return result.principal
  }
  return Object.defineProperty(verify, 'cachedTokens', { get: () => cache.size }) as CachingVerifier
}

function classify (err: unknown): Error {
  if (err instanceof errors.JWTExpired) return new TokenRejected('the token has expired')
  if (err instanceof errors.JWTClaimValidationFailed) return new TokenRejected(`the token's ${err.claim} claim is not valid here: ${err.reason}`)
  if (err instanceof errors.JWSSignatureVerificationFailed || err instanceof errors.JWKSNoMatchingKey) {
    return new TokenRejected('the token is not signed by a trusted key')
  }
  if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported) return new TokenRejected('the token\'s algorithm is not accepted')
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid || err instanceof errors.JWKSMultipleMatchingKeys) {
    return new TokenRejected('the token is malformed')
  }
  return Object.assign(new TokenKeysUnavailable(`token keys unavailable: ${(err as Error).message}`), { cause: err })
}
