import type { PerUserMfaState } from '@m365/contracts'
import type { GraphClient } from '../client.js'
import { str, type Raw } from './raw.js'

/**
 * The legacy per-user MFA state the admin portal shows (spec §4.2): beta only, one call per user,
 * Policy.Read.All. 'unknownFutureValue' or anything new reads as 'unknown'.
 */
export async function perUserMfaState (client: GraphClient, userId: string, opts: { signal?: AbortSignal } = {}): Promise<PerUserMfaState> {
  const res = await client.get<Raw>(`/users/${encodeURIComponent(userId)}/authentication/requirements`, { ...opts, version: 'beta' })
  const state = str(res.perUserMfaState)
  return state === 'disabled' || state === 'enabled' || state === 'enforced' ? state : 'unknown'
}
