import type { O365User, Sku, UserMfa } from '@m365/contracts'
import type { DeletedUser } from './fetchers/deleted-users.js'
import type { OrgContact } from './fetchers/org-contacts.js'
import type { GraphUser } from './fetchers/users.js'
import { userMfa } from './mfa/user-mfa.js'
import { skuPartNumberById, skuProductName } from './skus.js'

/** skuId → skuPartNumber from the tenant's subscribedSkus. */
export function skuPartNumbers (skus: readonly Pick<Sku, 'skuId' | 'skuPartNumber'>[]): Map<string, string> {
  return new Map(skus.map((s) => [s.skuId.toLowerCase(), s.skuPartNumber]))
}

export interface O365UserContext {
  mfa: UserMfa
  /** From fetchSubscribedSkus via skuPartNumbers(); Microsoft's list fills the gaps. */
  skuPartNumbers: ReadonlyMap<string, string>
  deleted?: boolean
}

/** A user (or deleted user) as the o365.users.* events carry it. */
export function toO365User (user: GraphUser | DeletedUser, ctx: O365UserContext): O365User {
  const deletedAt = 'deletedDateTime' in user ? user.deletedDateTime : null
  const seen = new Set<string>()
  const licenses: O365User['licenses'] = []
  for (const { skuId } of user.assignedLicenses) {
    const key = skuId.toLowerCase()
    if (!skuId || seen.has(key)) continue
    seen.add(key)
    const skuPartNumber = ctx.skuPartNumbers.get(key) ?? skuPartNumberById(skuId) ?? skuId
    licenses.push({ skuId, skuPartNumber, productName: skuProductName(skuPartNumber, skuId) })
  }
  return {
    id: user.id,
    objectType: 'user',
    displayName: user.displayName,
    userPrincipalName: user.userPrincipalName,
    mail: user.mail,
    otherMails: user.otherMails,
    proxyAddresses: user.proxyAddresses,
    userType: user.userType,
    accountEnabled: user.accountEnabled,
    deleted: ctx.deleted ?? deletedAt !== null,
    deletedAt,
    licenses,
    mfa: ctx.mfa
  }
}

/** An org contact: no account, no licences, MFA N/A. */
export function orgContactToO365User (contact: OrgContact): O365User {
  return {
    id: contact.id,
    objectType: 'orgContact',
    displayName: contact.displayName,
    userPrincipalName: null,
    mail: contact.mail,
    otherMails: [],
    proxyAddresses: contact.proxyAddresses,
    userType: null,
    accountEnabled: null,
    deleted: false,
    deletedAt: null,
    licenses: [],
    mfa: userMfa({ kind: 'orgContact', deleted: false, registration: { available: true, record: null } })
  }
}
