import type { GraphClient } from '../client.js'
import { pages } from '../paging.js'
import { str, type Raw } from './raw.js'
import { toGraphUser, type GraphUser } from './users.js'

export const DELETED_USER_SELECT = [
  'id', 'displayName', 'userPrincipalName', 'mail', 'otherMails', 'proxyAddresses', 'userType',
  'accountEnabled', 'assignedLicenses', 'deletedDateTime'
] as const

export interface DeletedUser extends GraphUser {
  deletedDateTime: string | null
}

/** Soft-deleted users still in the recycle bin (30 days, spec §5). */
export async function * deletedUsersPages (client: GraphClient, opts: { top?: number, signal?: AbortSignal } = {}): AsyncGenerator<DeletedUser[], void, undefined> {
  const path = '/directory/deletedItems/microsoft.graph.user'
  for await (const page of pages<Raw>(client, path, { select: DELETED_USER_SELECT, top: 999, ...opts })) {
    yield page.map((raw) => ({ ...toGraphUser(raw), deletedDateTime: str(raw.deletedDateTime) }))
  }
}
