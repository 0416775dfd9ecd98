import type { Static } from '@sinclair/typebox'
import type { Coverage as CoverageSchema, PerUserMfaState } from '@m365/contracts'

/** Whether a tenant-wide mechanism (security defaults, conditional access) requires MFA of a user. */
export type Coverage = Static<typeof CoverageSchema>

/** Why a tenant's registration report could not be read. */
export type RegistrationUnavailableReason =
  /** 403 Authentication_RequestFromNonPremiumTenantOrB2CTenant: no Entra ID P1/P2. */
  | 'premium_required'
  /** 403 Authorization_RequestDenied: AuditLog.Read.All not granted. */
  | 'permission_denied'
  /** The report was not read (yet) for this tenant. */
  | 'not_fetched'

/** The part of a userRegistrationDetails record the status depends on. */
export interface RegistrationRecord {
  isMfaRegistered: boolean
  methodsRegistered?: string[]
}

/**
 * What the tenant's registration report says about one user: either the report was read (then
 * `record` is the user's row, or null when the report has no row for them), or it was not.
 */
export type RegistrationLookup =
  | { available: true, record: RegistrationRecord | null }
  | { available: false, reason: RegistrationUnavailableReason }

/** Everything known about one directory object's MFA, from which status and explanation follow. */
export interface MfaFacts {
  kind: 'user' | 'orgContact'
  deleted: boolean
  userType?: 'Member' | 'Guest' | null
  registration: RegistrationLookup
  /** The legacy per-user MFA column of the admin portal; 'unknown' when not read. */
  perUserState?: PerUserMfaState
  securityDefaults?: Coverage
  conditionalAccess?: Coverage
}
