import { mfaStatus } from './status.js'
import type { MfaFacts } from './types.js'

/**
 * One plain English sentence where the admin portal's view of a user's MFA (per-user state,
 * security defaults, conditional access) and our status (registration) differ; null when they agree
 * or when the portal's view is not known well enough to say.
 */
export function explainMfa (facts: MfaFacts): string | null {
  const { status, reason } = mfaStatus(facts)
  const perUser = facts.perUserState ?? 'unknown'
  const defaults = facts.securityDefaults ?? 'unknown'
  const ca = facts.conditionalAccess ?? 'unknown'
  const record = facts.registration.available ? facts.registration.record : null

  if (status === 'N/A') return null
  if (facts.deleted) {
    if (record?.isMfaRegistered) return 'The user is deleted, so MFA counts as Disabled although a method was registered.'
    if (perUser === 'enabled' || perUser === 'enforced') {
      return `The user is deleted, so MFA counts as Disabled although per-user MFA is ${perUser}.`
    }
    return null
  }
  if (status === 'Unknown') return `Unknown: ${reason}.`

  if (status === 'Disabled') {
    if (facts.userType === 'Guest') {
      return 'Guest user: MFA is usually done in their home tenant, but no method is registered in this tenant.'
    }
    if (perUser === 'enforced') return 'Per-user MFA is enforced, but no method is registered yet.'
    if (perUser === 'enabled') return 'Per-user MFA is enabled, but the user has not registered a method yet.'
    if (defaults === 'covered') return 'Covered by security defaults, but no method is registered yet.'
    if (ca === 'covered') return 'A conditional access policy requires MFA, but no method is registered yet.'
    return null
  }

  // Enabled: the portal's per-user column says "Disabled" unless per-user MFA is on.
  if (perUser !== 'disabled' || defaults === 'covered' || ca === 'covered') return null
  if (defaults === 'not_covered' && ca === 'not_covered') return 'Registered, but nothing enforces MFA for this user.'
  return 'Registered, but per-user MFA is off and no policy is known to enforce MFA for this user.'
}
