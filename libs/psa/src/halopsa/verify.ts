import { headerValue, type HeaderSource } from '../headers.js'
import { safeEqual } from '../safe-equal.js'
import { fail, type VerifyResult } from '../verify-result.js'

export interface HaloBasicCredentials { username: string, password: string }

/**
 * How the HaloPSA webhook was configured to authenticate (specs/psa-webhooks.md §4.3). Lists allow a
 * rotation grace period: the old and the new value both verify.
 */
export type HaloAuthConfig =
  | { type: 'basic', credentials: HaloBasicCredentials | readonly HaloBasicCredentials[] }
  | { type: 'bearer', tokens: string | readonly string[] }
  | { type: 'header', name: string, values: string | readonly string[] }

export interface HaloMatch { credentialIndex: number }

/** Checks the Authorization (or configured API-key) header of a HaloPSA webhook in constant time. */
export function verifyHalo (headers: HeaderSource, config: HaloAuthConfig): VerifyResult<HaloMatch> {
  switch (config.type) {
    case 'basic': return verifyBasic(headers, toList(config.credentials).filter((c) => c.username !== '' && c.password !== ''))
    case 'bearer': return verifyToken(headerValue(headers, 'authorization'), toList(config.tokens), /^Bearer\s+(.+)$/i)
    case 'header': return verifyToken(headerValue(headers, config.name), toList(config.values), /^(.+)$/)
  }
}

function verifyBasic (headers: HeaderSource, credentials: HaloBasicCredentials[]): VerifyResult<HaloMatch> {
  if (credentials.length === 0) return fail('no_secret_configured')
  const header = headerValue(headers, 'authorization')
  if (header === undefined || header === '') return fail('missing_authorization')
  const encoded = header === null ? undefined : /^Basic\s+([A-Za-z0-9+/]+={0,2})$/i.exec(header.trim())?.[1]
  if (encoded === undefined) return fail('malformed_authorization')
  const decoded = Buffer.from(encoded, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon < 0) return fail('malformed_authorization')
  // Passwords may contain ':'; user names may not (RFC 7617), so split at the first one.
  const username = decoded.slice(0, colon)
  const password = decoded.slice(colon + 1)
  let found = -1
  credentials.forEach((c, index) => {
    const userOk = safeEqual(c.username, username)
    const passwordOk = safeEqual(c.password, password)
    if (userOk && passwordOk && found < 0) found = index
  })
  return found >= 0 ? { ok: true, credentialIndex: found } : fail('credentials_mismatch')
}

function verifyToken (header: string | undefined | null, tokens: string[], pattern: RegExp): VerifyResult<HaloMatch> {
  const configured = tokens.filter((token) => token !== '')
  if (configured.length === 0) return fail('no_secret_configured')
  if (header === undefined || header === '') return fail('missing_authorization')
  const token = header === null ? undefined : pattern.exec(header.trim())?.[1]
  if (token === undefined) return fail('malformed_authorization')
  let found = -1
  configured.forEach((candidate, index) => {
    if (safeEqual(candidate, token) && found < 0) found = index
  })
  return found >= 0 ? { ok: true, credentialIndex: found } : fail('credentials_mismatch')
}

function toList<T> (value: T | readonly T[]): T[] {
  return Array.isArray(value) ? [...value as readonly T[]] : [value as T]
}
