import { createHmac } from 'node:crypto'
import { headerValue, type HeaderSource } from '../headers.js'
import { safeEqual, secretList } from '../safe-equal.js'
import { fail, type VerifyResult } from '../verify-result.js'
import { autotaskEscape } from './escape.js'

export const AUTOTASK_SIGNATURE_HEADER = 'x-hook-signature'

/** Which body form matched: the raw bytes, or the §3.3 escaped text (log it to learn what Autotask really sends). */
export interface AutotaskMatch { matched: 'raw' | 'escaped', secretIndex: number }

const signaturePattern = /^(?:sha1=)?([A-Za-z0-9+/]{27}=)$/i

/** `base64(HMAC-SHA1(secret, body))`, without the `sha1=` prefix. */
export function autotaskSignature (body: Buffer | string, secret: string): string {
  return createHmac('sha1', secret).update(body).digest('base64')
}

/**
 * Verifies `X-Hook-Signature: sha1=<base64 HMAC-SHA1>` over the raw body bytes (specs/psa-webhooks.md §3.3),
 * then over the escaped form of the body. Several secrets are accepted during a rotation.
 */
export function verifyAutotask (
  rawBody: Buffer, headers: HeaderSource, secrets: string | readonly string[]
): VerifyResult<AutotaskMatch> {
  const keys = secretList(secrets)
  if (keys.length === 0) return fail('no_secret_configured')
  const header = headerValue(headers, AUTOTASK_SIGNATURE_HEADER)
  if (header === undefined || header === '') return fail('missing_signature')
  const signature = header === null ? undefined : signaturePattern.exec(header.trim())?.[1]
  if (signature === undefined) return fail('malformed_signature')

  const rawMatch = matchIndex(keys, (key) => safeEqual(autotaskSignature(rawBody, key), signature))
  if (rawMatch >= 0) return { ok: true, matched: 'raw', secretIndex: rawMatch }

  const escaped = Buffer.from(autotaskEscape(rawBody.toString('utf8')), 'utf8')
  if (!escaped.equals(rawBody)) {
    const escapedMatch = matchIndex(keys, (key) => safeEqual(autotaskSignature(escaped, key), signature))
    if (escapedMatch >= 0) return { ok: true, matched: 'escaped', secretIndex: escapedMatch }
  }
  return fail('signature_mismatch')
}

/** Checks every key (no early exit, so timing does not tell which key is close) and returns the first match. */
function matchIndex (keys: readonly string[], matches: (key: string) => boolean): number {
  let found = -1
  keys.forEach((key, index) => {
    if (matches(key) && found < 0) found = index
  })
  return found
}
