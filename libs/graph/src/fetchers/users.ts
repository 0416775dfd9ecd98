import type { GraphClient } from '../client.js'
import { deltaPages, pages } from '../paging.js'
import { bool, obj, objs, str, strings, userType, type Raw } from './raw.js'

/** Spec §1: everything but id/displayName/userPrincipalName/mail is returned only when selected. */
export const USER_SELECT = [
  'id', 'displayName', 'userPrincipalName', 'mail', 'otherMails', 'proxyAddresses', 'userType',
  'accountEnabled', 'assignedLicenses', 'licenseAssignmentStates', 'createdDateTime',
  'onPremisesSyncEnabled', 'externalUserState'
] as const

export interface AssignedLicense { skuId: string, disabledPlans: string[] }

export interface LicenseAssignmentState {
  skuId: string
  disabledPlans: string[]
  /** null: assigned directly; else the group it comes from. */
  assignedByGroup: string | null
  state: string | null
  error: string | null
}

export interface GraphUser {
  id: string
  displayName: string | null
  userPrincipalName: string | null
  mail: string | null
  otherMails: string[]
  proxyAddresses: string[]
  userType: 'Member' | 'Guest' | null
  accountEnabled: boolean | null
  assignedLicenses: AssignedLicense[]
  licenseAssignmentStates: LicenseAssignmentState[]
  createdDateTime: string | null
  onPremisesSyncEnabled: boolean | null
  externalUserState: string | null
}

const fields: { [K in keyof GraphUser]: (v: unknown) => GraphUser[K] } = {
  id: (v) => str(v) ?? '',
  displayName: str,
  userPrincipalName: str,
  mail: str,
  otherMails: strings,
  proxyAddresses: strings,
  userType,
  accountEnabled: bool,
  assignedLicenses: (v) => objs(v).map((l) => ({ skuId: str(l.skuId) ?? '', disabledPlans: strings(l.disabledPlans) })),
  licenseAssignmentStates: (v) => objs(v).map((l) => ({
    skuId: str(l.skuId) ?? '',
    disabledPlans: strings(l.disabledPlans),
    assignedByGroup: str(l.assignedByGroup),
    state: str(l.state),
    error: str(l.error)
  })),
  createdDateTime: str,
  onPremisesSyncEnabled: bool,
  externalUserState: str
}

export function toGraphUser (raw: Raw): GraphUser {
  const user = {} as Record<string, unknown>
  for (const [key, read] of Object.entries(fields)) user[key] = read(raw[key])
  return user as unknown as GraphUser
}

/** Only the properties present in a delta entry: an update may carry just what changed. */
export function toGraphUserPatch (raw: Raw): Partial<GraphUser> & { id: string } {
  const patch: Record<string, unknown> = { id: str(raw.id) ?? '' }
  for (const [key, read] of Object.entries(fields)) if (key in raw) patch[key] = read(raw[key])
  return patch as Partial<GraphUser> & { id: string }
}

/** Every user of the tenant, a page at a time, with the spec's $select and the largest page size. */
export async function * usersPages (client: GraphClient, opts: { top?: number, signal?: AbortSignal } = {}): AsyncGenerator<GraphUser[], void, undefined> {
  for await (const page of pages<Raw>(client, '/users', { select: USER_SELECT, top: 999, ...opts })) {
    yield page.map(toGraphUser)
  }
}

/** A delta entry: a created/updated user (only the properties sent), or a removal. */
export type UserDelta =
  | { id: string, removed: null, user: Partial<GraphUser> & { id: string } }
  /** 'changed': soft-deleted (restorable); 'deleted': gone for good. */
  | { id: string, removed: 'changed' | 'deleted' }

export function toUserDelta (raw: Raw): UserDelta {
  const id = str(raw.id) ?? ''
  if ('@removed' in raw) return { id, removed: str(obj(raw['@removed']).reason) === 'deleted' ? 'deleted' : 'changed' }
  return { id, removed: null, user: toGraphUserPatch(raw) }
}

/**
 * One users/delta round (spec §2): a first round without `deltaLink` lists everyone; later rounds
 * list changes. Returns the new deltaLink. Rejects with isDeltaExpired(err) when the link is stale.
 */
export async function * usersDeltaPages (
  client: GraphClient,
  opts: { deltaLink?: string | null, signal?: AbortSignal } = {}
): AsyncGenerator<UserDelta[], string, undefined> {
  const round = deltaPages<Raw>(client, { ...opts, select: USER_SELECT })
  for (let r = await round.next(); ; r = await round.next()) {
    if (r.done) return r.value
    yield r.value.map(toUserDelta)
  }
}
