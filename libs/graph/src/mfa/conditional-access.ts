import type { Coverage } from './types.js'

/** The parts of a conditionalAccessPolicy (GET /identity/conditionalAccess/policies) that decide MFA coverage. */
export interface ConditionalAccessPolicy {
  id: string
  displayName: string
  /** 'enabled' | 'disabled' | 'enabledForReportingButNotEnforced' */
  state: string
  includeApplications: string[]
  includeUsers: string[]
  excludeUsers: string[]
  includeGroups: string[]
  excludeGroups: string[]
  includeRoles: string[]
  excludeRoles: string[]
  builtInControls: string[]
  /** grantControls.authenticationStrength; any strength demands MFA-grade authentication. */
  authenticationStrengthId: string | null
}

/** The user whose coverage is asked for, with whatever membership data the caller could read. */
export interface CaSubject {
  id: string
  userType?: 'Member' | 'Guest' | null
  /** Transitive group ids (/users/{id}/transitiveMemberOf); null or absent when not read. */
  groupIds?: readonly string[] | null
  /** Directory role template ids; null or absent when not read. */
  roleIds?: readonly string[] | null
  /** isAdmin from the registration report: when roles were not read, false rules role targets out. */
  isAdmin?: boolean | null
}

type Tri = 'yes' | 'no' | 'maybe'

const any = (...values: Tri[]): Tri => values.includes('yes') ? 'yes' : values.includes('maybe') ? 'maybe' : 'no'
const not = (v: Tri): Tri => v === 'yes' ? 'no' : v === 'no' ? 'yes' : 'maybe'
const all = (...values: Tri[]): Tri => values.includes('no') ? 'no' : values.includes('maybe') ? 'maybe' : 'yes'

/** Enforced (not report-only), for every cloud app, and its grant asks for MFA or an authentication strength. */
export function requiresMfaForAllApps (policy: ConditionalAccessPolicy): boolean {
  return policy.state === 'enabled' &&
    policy.includeApplications.includes('All') &&
    (policy.builtInControls.includes('mfa') || policy.authenticationStrengthId !== null)
}

function inList (ids: readonly string[], known: readonly string[] | null | undefined): Tri {
  if (ids.length === 0) return 'no'
  if (known == null) return 'maybe'
  return ids.some((id) => known.includes(id)) ? 'yes' : 'no'
}

function inRoles (roles: readonly string[], user: CaSubject): Tri {
  if (roles.length === 0) return 'no'
  if (user.roleIds == null && user.isAdmin === false) return 'no'
  return inList(roles, user.roleIds)
}

function inUsers (users: readonly string[], user: CaSubject, allowAll: boolean): Tri {
  if (users.includes(user.id) || (allowAll && users.includes('All'))) return 'yes'
  if (!users.includes('GuestsOrExternalUsers')) return 'no'
  if (user.userType == null) return 'maybe'
  return user.userType === 'Guest' ? 'yes' : 'no'
}

function applies (policy: ConditionalAccessPolicy, user: CaSubject): Tri {
  const included = any(
    inUsers(policy.includeUsers, user, true),
    inList(policy.includeGroups, user.groupIds),
    inRoles(policy.includeRoles, user)
  )
  const excluded = any(
    inUsers(policy.excludeUsers, user, false),
    inList(policy.excludeGroups, user.groupIds),
    inRoles(policy.excludeRoles, user)
  )
  return all(included, not(excluded))
}

/**
 * Does an enabled conditional access policy require MFA of this user for all apps (spec §10)?
 * Users included as All, by id, as guests, or by role, minus exclusions; groups count only when the
 * user's membership is known. 'unknown' when the answer hangs on membership not read, or when the
 * policies themselves could not be read (null).
 */
export function conditionalAccessCoverage (
  policies: readonly ConditionalAccessPolicy[] | null,
  user: CaSubject
): Coverage {
  if (policies === null) return 'unknown'
  const verdict = any(...policies.filter(requiresMfaForAllApps).map((p) => applies(p, user)))
  return verdict === 'yes' ? 'covered' : verdict === 'no' ? 'not_covered' : 'unknown'
}
