/** Why a webhook did not verify. Safe to log; never contains secrets. */
export type VerifyFailureReason =
  | 'no_secret_configured'
  | 'missing_signature'
  | 'malformed_signature'
  | 'signature_mismatch'
  | 'invalid_body'
  | 'missing_key_url'
  | 'key_url_not_allowed'
  | 'key_fetch_failed'
  | 'missing_authorization'
  | 'malformed_authorization'
  | 'credentials_mismatch'

export interface VerifyFailure { ok: false, reason: VerifyFailureReason, detail?: string }

/** `{ ok: true }` plus what matched, or `{ ok: false, reason }`. */
export type VerifyResult<Match extends object = object> = ({ ok: true } & Match) | VerifyFailure

export function fail (reason: VerifyFailureReason, detail?: string): VerifyFailure {
  return detail === undefined ? { ok: false, reason } : { ok: false, reason, detail }
}
