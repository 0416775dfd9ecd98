import { randomUUID } from 'node:crypto'
import { guidFrom } from './random.js'
import type { OrgContactInput, OrgContactRecord, UserEntry, UserInput } from './types.js'

/** addUser / fixture input → a full user with the defaults Entra would show. */
export function completeUser (u: UserInput, tenant: { defaultDomain: string }, now: () => number): UserEntry {
  const displayName = u.displayName ?? u.userPrincipalName?.split('@')[0] ?? 'New User'
  const guest = u.userType === 'Guest'
  const local = (u.mailNickname ?? (displayName.toLowerCase().replace(/[^a-z0-9]+/g, '.').replace(/^\.|\.$/g, '') || 'user'))
  const upn = u.userPrincipalName ?? `${local}@${tenant.defaultDomain}`
  const mail = u.mail === undefined ? (guest ? null : upn) : u.mail
  const { registration, perUserMfaState, deletedDateTime: _deleted, ...rest } = u
  const [givenName, ...surname] = displayName.split(' ')
  return {
    user: {
      displayName,
      givenName: givenName ?? null,
      surname: surname.length > 0 ? surname.join(' ') : null,
      userPrincipalName: upn,
      mail,
      mailNickname: local,
      otherMails: guest && mail ? [mail] : [],
      proxyAddresses: !guest && mail ? [`SMTP:${mail}`] : [],
      userType: 'Member',
      accountEnabled: true,
      assignedLicenses: [],
      createdDateTime: new Date(now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      onPremisesSyncEnabled: null,
      externalUserState: guest ? 'Accepted' : null,
      externalUserStateChangeDateTime: null,
      businessPhones: [],
      jobTitle: null,
      mobilePhone: null,
      officeLocation: null,
      preferredLanguage: null,
      department: null,
      companyName: null,
      usageLocation: guest ? null : 'US',
      lastSignInDateTime: null,
      ...rest,
      id: (u.id ?? randomUUID()).toLowerCase()
    },
    mfa: {
      registration: registration === undefined ? { isMfaRegistered: false, methodsRegistered: [] } : registration,
      perUserMfaState: perUserMfaState ?? 'disabled'
    }
  }
}

export function completeContact (c: OrgContactInput, tenantId: string): OrgContactRecord {
  const nick = c.mailNickname ?? c.displayName.toLowerCase().replace(/[^a-z0-9]+/g, '')
  return {
    mail: null,
    mailNickname: nick,
    givenName: null,
    surname: null,
    companyName: null,
    jobTitle: null,
    department: null,
    proxyAddresses: c.mail ? [`SMTP:${c.mail}`] : [],
    onPremisesSyncEnabled: null,
    businessPhones: [],
    mobilePhone: null,
    ...c,
    id: (c.id ?? guidFrom(tenantId, 'contact', nick)).toLowerCase()
  }
}
