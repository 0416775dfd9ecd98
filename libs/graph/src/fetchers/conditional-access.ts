import type { GraphClient } from '../client.js'
import type { ConditionalAccessPolicy } from '../mfa/conditional-access.js'
import { pages } from '../paging.js'
import { obj, str, strings, type Raw } from './raw.js'

export function toConditionalAccessPolicy (raw: Raw): ConditionalAccessPolicy {
  const conditions = obj(raw.conditions)
  const users = obj(conditions.users)
  const grant = obj(raw.grantControls)
  const strength = grant.authenticationStrength
  return {
    id: str(raw.id) ?? '',
    displayName: str(raw.displayName) ?? '',
    state: str(raw.state) ?? 'disabled',
    includeApplications: strings(obj(conditions.applications).includeApplications),
    includeUsers: strings(users.includeUsers),
    excludeUsers: strings(users.excludeUsers),
    includeGroups: strings(users.includeGroups),
    excludeGroups: strings(users.excludeGroups),
    includeRoles: strings(users.includeRoles),
    excludeRoles: strings(users.excludeRoles),
    builtInControls: strings(grant.builtInControls),
    authenticationStrengthId: strength && typeof strength === 'object' ? str(obj(strength).id) ?? 'unnamed' : null
  }
}

/** All conditional access policies of the tenant (a short list, read once per sync). */
export async function conditionalAccessPolicies (client: GraphClient, opts: { signal?: AbortSignal } = {}): Promise<ConditionalAccessPolicy[]> {
  const all: ConditionalAccessPolicy[] = []
  for await (const page of pages<Raw>(client, '/identity/conditionalAccess/policies', opts)) {
    all.push(...page.map(toConditionalAccessPolicy))
  }
  return all
}
