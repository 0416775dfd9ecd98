import { createRemoteJWKSet, errors, jwtVerify, type CryptoKey, type JWTVerifyGetKey } from 'jose'
import { principalFromClaims, type Principal } from '@m365/api'
import type { TokenSource } from '../config.js'
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
}

export async function createTokenVerifier (source: TokenSource, options: VerifierOptions): Promise<VerifyToken> {
  let key: CryptoKey | JWTVerifyGetKey
  let issuer: string
  let audience: string
  let algorithms: string[]
  if (source.kind === 'local') {
    const local = await ensureLocalSigningKey(source.file)
    key = local.publicKey
    ;({ issuer, audience } = local)
    algorithms = ['ES256']
  } else {
    key = createRemoteJWKSet(new URL(source.url), {
      timeoutDuration: 5_000, cooldownDuration: options.jwksCooldownMs ?? 30_000, cacheMaxAge: options.jwksCacheMs ?? 600_000
    })
    ;({ issuer, audience } = source)
    algorithms = ASYMMETRIC
  }
  const verifyOptions = { issuer, audience, algorithms, clockTolerance: options.clockToleranceSeconds, requiredClaims: ['exp', 'sub'] }

  return async (token) => {
    let payload: Record<string, unknown>
    try {
      ({ payload } = await jwtVerify(token, key as JWTVerifyGetKey, verifyOptions))
    } catch (err) {
      throw classify(err)
    }
    const result = principalFromClaims(payload)
    if ('error' in result) throw new TokenRejected(result.error)
    return result.principal
  }
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
