/** AADSTS codes that mean the app is not (or no longer) in the tenant: consent missing or revoked. */
const CONSENT_CODES = new Set(['65001', '700016'])
/** The app's own credential is wrong, expired or (certificate) does not verify. */
const CREDENTIAL_CODES = new Set(['7000215', '7000222', '700027', '7000218'])

export type AuthFailureKind = 'consent_revoked' | 'credentials_invalid' | 'unavailable'

export interface AuthFailure {
  kind: AuthFailureKind
  /** '700016', …; undefined when the identity platform gave no code (network, TLS, …). */
  aadsts: string | undefined
  /** Microsoft's text, e.g. "AADSTS700016: Application with identifier … was not found in the directory …". */
  reason: string
}

interface MsalLikeError { name?: string, errorCode?: string, errorNo?: unknown, errorMessage?: string, message?: string }

/**
 * What an msal-node failure means for the tenant. Branches on `errorNo` (msal passes the first
 * `error_codes` entry through, as a number in v7), never on the message (spec §8).
 */
export function classifyAuthError (err: unknown): AuthFailure {
  const e = (err ?? {}) as MsalLikeError
  const aadsts = e.name === 'ServerError' && e.errorNo !== undefined && e.errorNo !== null ? String(e.errorNo) : undefined
  const reason = microsoftReason(e)
  if (aadsts && CONSENT_CODES.has(aadsts)) return { kind: 'consent_revoked', aadsts, reason }
  if (aadsts && CREDENTIAL_CODES.has(aadsts)) return { kind: 'credentials_invalid', aadsts, reason }
  return { kind: 'unavailable', aadsts, reason }
}

/** "AADSTS…: description" out of msal's "Error(s): … - Description: AADSTS…: … Trace ID: … - Correlation ID: …". */
export function microsoftReason (e: MsalLikeError): string {
  const text = e.errorMessage || e.message || String(e)
  const match = /(AADSTS\d+:[\s\S]*?)(?:\s+Trace ID:|\s+-\s+Correlation ID:|$)/.exec(text)
  if (match?.[1]) return match[1].trim()
  return e.errorCode ? `${e.errorCode}: ${text}`.slice(0, 500) : text.slice(0, 500)
}
