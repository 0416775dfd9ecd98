import type { GraphClient } from '../client.js'
import { isPermissionDenied, isPremiumRequired } from '../errors.js'
import type { RegistrationUnavailableReason } from '../mfa/types.js'
import { pages } from '../paging.js'
import { bool, str, strings, type Raw } from './raw.js'

/** A row of reports/authenticationMethods/userRegistrationDetails (spec §4.1); `id` is the user's id. */
export interface RegistrationDetail {
  id: string
  userPrincipalName: string | null
  userDisplayName: string | null
  /** Lower case in this report: 'member' | 'guest'. */
  userType: string | null
  isAdmin: boolean | null
  isMfaRegistered: boolean
  isMfaCapable: boolean | null
  isPasswordlessCapable: boolean | null
  isSsprRegistered: boolean | null
  methodsRegistered: string[]
  userPreferredMethodForSecondaryAuthentication: string | null
  lastUpdatedDateTime: string | null
}

export function toRegistrationDetail (raw: Raw): RegistrationDetail {
  return {
    id: str(raw.id) ?? '',
    userPrincipalName: str(raw.userPrincipalName),
    userDisplayName: str(raw.userDisplayName),
    userType: str(raw.userType),
    isAdmin: bool(raw.isAdmin),
    isMfaRegistered: raw.isMfaRegistered === true,
    isMfaCapable: bool(raw.isMfaCapable),
    isPasswordlessCapable: bool(raw.isPasswordlessCapable),
    isSsprRegistered: bool(raw.isSsprRegistered),
    methodsRegistered: strings(raw.methodsRegistered),
    userPreferredMethodForSecondaryAuthentication: str(raw.userPreferredMethodForSecondaryAuthentication),
    lastUpdatedDateTime: str(raw.lastUpdatedDateTime)
  }
}

/**
 * The tenant's registration report, a page at a time. Every request (retries included) first takes
 * a grant from the tenant's report limiter (client.reportLimiter unless given), so the walk stays
 * within Entra's report limit while the tenant's other calls go on. Rejects with a GraphRequestError
 * for which isPremiumRequired() is true on tenants without Entra ID P1/P2.
 */
export async function * registrationDetailsPages (
  client: GraphClient,
  opts: { limiter?: GraphClient['reportLimiter'], top?: number, signal?: AbortSignal } = {}
): AsyncGenerator<RegistrationDetail[], void, undefined> {
  const path = '/reports/authenticationMethods/userRegistrationDetails'
  for await (const page of pages<Raw>(client, path, { ...opts, limiter: opts.limiter ?? client.reportLimiter })) {
    yield page.map(toRegistrationDetail)
  }
}

/** Why the report is unavailable for the tenant, or null when the error is something else (retry later). */
export function registrationUnavailableReason (err: unknown): RegistrationUnavailableReason | null {
  if (isPremiumRequired(err)) return 'premium_required'
  if (isPermissionDenied(err)) return 'permission_denied'
  return null
}
