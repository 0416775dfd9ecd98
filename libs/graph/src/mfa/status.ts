import type { MfaStatus } from '@m365/contracts'
import type { MfaFacts, RegistrationUnavailableReason } from './types.js'

export interface MfaStatusResult {
  status: MfaStatus
  /** Why, when the status alone does not say it (always set for 'Unknown'). */
  reason: string | null
}

export type MfaStatusInput = Pick<MfaFacts, 'kind' | 'deleted' | 'registration'>

const unavailable: Record<RegistrationUnavailableReason, string> = {
  premium_required: 'the tenant has no Entra ID P1/P2 licence, so Microsoft does not provide registration data',
  permission_denied: 'the app has not been granted AuditLog.Read.All, so registration data cannot be read',
  not_fetched: 'registration data has not been read for this tenant yet'
}

/**
 * THE MFA status rule (DESIGN.md truth table, spec §10), first match wins:
 * org contact → N/A; deleted → Disabled; registration report unavailable for the tenant → Unknown;
 * registered (isMfaRegistered) → Enabled; anything else, including no record, → Disabled.
 * Per-user MFA, security defaults and conditional access never change it: they say MFA is asked
 * for, not that the user can do it.
 */
export function mfaStatus (input: MfaStatusInput): MfaStatusResult {
  if (input.kind === 'orgContact') {
    return { status: 'N/A', reason: 'an org contact is not a user account and cannot sign in' }
  }
  if (input.deleted) return { status: 'Disabled', reason: 'the user is deleted' }
  const { registration } = input
  if (!registration.available) return { status: 'Unknown', reason: unavailable[registration.reason] }
  if (registration.record === null) {
    return { status: 'Disabled', reason: 'the registration report has no record for this user (new or disabled account)' }
  }
  return registration.record.isMfaRegistered
    ? { status: 'Enabled', reason: null }
    : { status: 'Disabled', reason: null }
}
