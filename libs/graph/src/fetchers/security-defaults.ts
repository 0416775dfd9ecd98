import type { GraphClient } from '../client.js'
import type { Raw } from './raw.js'

export interface SecurityDefaults { isEnabled: boolean }

/** The tenant's security defaults switch (spec §4.3). */
export async function securityDefaults (client: GraphClient, opts: { signal?: AbortSignal } = {}): Promise<SecurityDefaults> {
  const res = await client.get<Raw>('/policies/identitySecurityDefaultsEnforcementPolicy', opts)
  return { isEnabled: res.isEnabled === true }
}
