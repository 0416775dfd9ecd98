import { createHash, createHmac } from 'node:crypto'
import { headerValue, type HeaderSource } from '../headers.js'
import { safeEqual } from '../safe-equal.js'
import { fail, type VerifyResult } from '../verify-result.js'
import type { ConnectWiseKeySource } from './key-fetcher.js'
import { CONNECTWISE_KEY_HOSTS, isAllowedKeyUrl, isKeyUrlOnSite } from './key-url.js'

export const CONNECTWISE_SIGNATURE_HEADER = 'x-content-signature'

export interface ConnectWiseVerifyOptions {
  /** host names or exact origins key URLs may use (see isAllowedKeyUrl); default: the ConnectWise cloud hosts */
  allowedKeyHosts?: readonly string[]
  /** the connection's ConnectWise company id: a body with another (or no) `CompanyId` is rejected (case-insensitive) */
  companyId?: string
  /** the connection's REST base URL: a key_url on another site is rejected (see isKeyUrlOnSite) */
  siteUrl?: string
}

export interface ConnectWiseMatch { keyUrl: string, refreshed: boolean }

/** `base64(HMAC-SHA256(SHA256(signingKey), body))` (specs/psa-webhooks.md §2.3). */
export function connectWiseSignature (body: Buffer | string, signingKey: string): string {
  const key = createHash('sha256').update(signingKey, 'utf8').digest()
  return createHmac('sha256', key).update(body).digest('base64')
}

/** `Metadata.key_url` from the raw body, keys looked up case-insensitively; undefined when absent. */
export function connectWiseKeyUrl (rawBody: Buffer): string | undefined | Error {
  const fields = envelope(rawBody)
  return fields instanceof Error ? fields : fields.keyUrl
}

function envelope (rawBody: Buffer): { keyUrl: string | undefined, companyId: unknown } | Error {
  let body: unknown
  try {
    body = JSON.parse(rawBody.toString('utf8'))
  } catch (err) {
    return err as Error
  }
  const keyUrl = property(property(body, 'metadata'), 'key_url')
  return { keyUrl: typeof keyUrl === 'string' && keyUrl !== '' ? keyUrl : undefined, companyId: property(body, 'companyid') }
}

/**
 * Verifies `x-content-signature` over the raw body with the signing key behind the body's `Metadata.key_url`.
 * A key URL outside the allow-list is rejected without calling getKey (so without any network request), and so are
 * a `CompanyId` other than `options.companyId` and a key URL off `options.siteUrl`'s site, when those are given: the
 * signing keys are public, so a signature alone only proves the body came from *some* ConnectWise instance.
 * When the (cached) key does not match, the key is asked for once more with `refresh: true` (rotation).
 */
export async function verifyConnectWise (
  rawBody: Buffer, headers: HeaderSource, getKey: ConnectWiseKeySource, options: ConnectWiseVerifyOptions = {}
): Promise<VerifyResult<ConnectWiseMatch>> {
  const signature = headerValue(headers, CONNECTWISE_SIGNATURE_HEADER)
  if (signature === undefined || signature === '') return fail('missing_signature')
  if (signature === null || !/^[A-Za-z0-9+/]{43}=$/.test(signature.trim())) return fail('malformed_signature')
  const fields = envelope(rawBody)
  if (fields instanceof Error) return fail('invalid_body', 'body is not JSON')
  const { keyUrl, companyId } = fields
  if (keyUrl === undefined) return fail('missing_key_url')
  if (!isAllowedKeyUrl(keyUrl, options.allowedKeyHosts ?? CONNECTWISE_KEY_HOSTS)) {
    return fail('key_url_not_allowed', safeHost(keyUrl))
  }
  if (options.companyId !== undefined &&
    (typeof companyId !== 'string' || companyId.trim().toLowerCase() !== options.companyId.trim().toLowerCase())) {
    return fail('credentials_mismatch', 'CompanyId is not the connection\'s ConnectWise company')
  }
  if (options.siteUrl !== undefined && !isKeyUrlOnSite(keyUrl, options.siteUrl)) {
    return fail('key_url_not_allowed', `${safeHost(keyUrl)} is not the connection's ConnectWise site`)
  }
  const matches = (keys: string | readonly string[]) => {
    let ok = false
    for (const key of typeof keys === 'string' ? [keys] : keys) {
      if (safeEqual(connectWiseSignature(rawBody, key), signature.trim())) ok = true
    }
    return ok
  }
  try {
    if (matches(await getKey(keyUrl))) return { ok: true, keyUrl, refreshed: false }
  } catch (err) {
    return fail('key_fetch_failed', (err as Error).message)
  }
  try {
    if (matches(await getKey(keyUrl, { refresh: true }))) return { ok: true, keyUrl, refreshed: true }
  } catch {
    // the cached key did not match and a fresh one is not available: that is a mismatch, not an outage
  }
  return fail('signature_mismatch')
}

function property (value: unknown, name: string): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  const record = value as Record<string, unknown>
  if (name in record) return record[name]
  const key = Object.keys(record).find((k) => k.toLowerCase() === name)
  return key === undefined ? undefined : record[key]
}

function safeHost (keyUrl: string): string {
  try {
    return new URL(keyUrl).host
  } catch {
    return 'unparseable key_url'
  }
}
