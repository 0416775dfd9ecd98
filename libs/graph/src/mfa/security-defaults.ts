import type { Coverage } from './types.js'

export interface SecurityDefaultsSubject {
  userType?: 'Member' | 'Guest' | null
  accountEnabled?: boolean | null
}

/**
 * Security defaults cover every enabled member account (spec §10). `enabled` is the tenant's
 * identitySecurityDefaultsEnforcementPolicy.isEnabled, null when it could not be read. How they
 * treat guests is not documented in what we read, so a guest under security defaults is 'unknown'.
 */
export function securityDefaultsCoverage (enabled: boolean | null, user: SecurityDefaultsSubject): Coverage {
  if (enabled === null) return 'unknown'
  if (!enabled || user.accountEnabled === false) return 'not_covered'
  return user.userType === 'Guest' ? 'unknown' : 'covered'
}
