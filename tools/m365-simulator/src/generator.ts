import { affinePermutation, decodeGuidIndex, hash, pickOf, populationGuid, unit } from './random.js'
import {
  CONTACT_COMPANIES, CONTACT_ROLES, DEPARTMENTS, FIRST_NAMES, GUEST_DOMAINS, JOB_TITLES, LAST_NAMES, OFFICES
} from './names.js'
import type { AssignedLicense, OrgContactRecord, PerUserMfaState, RegistrationInput, UserEntry } from './types.js'

export const POPULATION = { user: 1, deleted: 2, contact: 3 } as const

export interface GeneratedSku { skuId: string, weight?: number, addOnShare?: number }

/** Everything the generator needs; all counts already resolved from fractions. */
export interface GenConfig {
  seed: number
  count: number
  deletedCount: number
  contactCount: number
  domain: string
  initialDomain: string
  /** tenant creation time (ms): generated timestamps lie before it */
  createdAt: number
  guests: number
  disabled: number
  unlicensed: number
  mfaRegistered: number
  perUserEnabled: number
  perUserEnforced: number
  admins: number
  skus: GeneratedSku[]
}

const DAY = 86_400_000
const METHOD_SETS = [
  ['microsoftAuthenticatorPush', 'softwareOneTimePasscode'],
  ['mobilePhone'],
  ['microsoftAuthenticatorPush'],
  ['fido2', 'microsoftAuthenticatorPush'],
  ['mobilePhone', 'email'],
  ['windowsHelloForBusiness', 'microsoftAuthenticatorPush']
] as const
const PREFERRED: Record<string, string> = { microsoftAuthenticatorPush: 'push', mobilePhone: 'sms', fido2: 'push', windowsHelloForBusiness: 'push' }
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')

/**
 * User i (and deleted user i, contact i) as a pure function of (seed, i): a 200,000-user tenant is
 * never held in memory. Each trait has its own permutation, so counts are exact and traits mix.
 */
export class Generator {
  private readonly rank: Record<'guest' | 'disabled' | 'unlicensed' | 'registered' | 'perUser' | 'admin', (i: number) => number>
  private readonly primaryTotal: number
  private readonly primaries: GeneratedSku[]
  private readonly addOns: GeneratedSku[]

  constructor (readonly config: GenConfig) {
    const perm = (salt: number) => affinePermutation(config.count, config.seed, salt)
    this.rank = { guest: perm(11), disabled: perm(12), unlicensed: perm(13), registered: perm(14), perUser: perm(15), admin: perm(16) }
    this.primaries = config.skus.filter((s) => s.addOnShare === undefined)
    this.addOns = config.skus.filter((s) => s.addOnShare !== undefined)
    this.primaryTotal = this.primaries.reduce((sum, s) => sum + (s.weight ?? 1), 0)
  }

  userId (i: number) { return populationGuid(this.config.seed, POPULATION.user, i) }
  deletedId (i: number) { return populationGuid(this.config.seed, POPULATION.deleted, i) }

  /** Index of a generated object with this id in a population, if it is one. */
  indexOf (id: string, population: number): number | undefined {
    const count = population === POPULATION.user ? this.config.count : population === POPULATION.deleted ? this.config.deletedCount : this.config.contactCount
    const i = decodeGuidIndex(this.config.seed, population, id.toLowerCase())
    return i !== undefined && i < count && populationGuid(this.config.seed, population, i) === id.toLowerCase() ? i : undefined
  }

  isGuest (i: number) { return this.rank.guest(i) < this.config.guests }

  /** Cheap path (no strings) for licence counting over the whole population. */
  licensesAt (i: number): AssignedLicense[] {
    if (this.isGuest(i) || this.rank.unlicensed(i) < this.config.unlicensed || this.primaryTotal === 0) return []
    const { seed } = this.config
    let pick = unit(seed, i, 21) * this.primaryTotal
    const primary = this.primaries.find((s) => (pick -= s.weight ?? 1) < 0) ?? this.primaries[0]!
    const out: AssignedLicense[] = [{ skuId: primary.skuId, disabledPlans: [] }]
    this.addOns.forEach((s, k) => { if (unit(seed, i, 22, k) < (s.addOnShare ?? 0)) out.push({ skuId: s.skuId, disabledPlans: [] }) })
    return out
  }

  userAt (i: number): UserEntry {
    const { seed, domain, initialDomain, createdAt } = this.config
    const first = pickOf(FIRST_NAMES, hash(seed, i, 1))
    const last = pickOf(LAST_NAMES, hash(seed, i, 2))
    const local = `${first}.${last}${i}`.toLowerCase()
    const guest = this.isGuest(i)
    const enabled = this.rank.disabled(i) >= this.config.disabled
    const created = createdAt - Math.floor(unit(seed, i, 3) * 5 * 365 * DAY) - DAY
    const guestDomain = pickOf(GUEST_DOMAINS, hash(seed, i, 4))
    const mail = guest ? `${local}@${guestDomain}` : `${local}@${domain}`
    const signedIn = enabled && unit(seed, i, 5) < 0.85
    return {
      user: {
        id: this.userId(i),
        displayName: guest ? `${first} ${last} (${guestDomain.split('.')[0]})` : `${first} ${last}`,
        givenName: first,
        surname: last,
        userPrincipalName: guest ? `${local}_${guestDomain}#EXT#@${initialDomain}` : mail,
        mail,
        mailNickname: guest ? `${local}_${guestDomain}#EXT#` : local,
        otherMails: guest ? [mail] : [],
        proxyAddresses: guest ? [] : [`SMTP:${mail}`, `smtp:${local}@${initialDomain}`],
        userType: guest ? 'Guest' : 'Member',
        accountEnabled: enabled,
        assignedLicenses: this.licensesAt(i),
        createdDateTime: iso(created),
        onPremisesSyncEnabled: !guest && unit(seed, i, 6) < 0.2 ? true : null,
        externalUserState: guest ? (unit(seed, i, 7) < 0.8 ? 'Accepted' : 'PendingAcceptance') : null,
        externalUserStateChangeDateTime: guest ? iso(created + DAY) : null,
        businessPhones: guest ? [] : [`+1 555 01${String(i % 10000).padStart(4, '0')}`],
        jobTitle: guest ? null : pickOf(JOB_TITLES, hash(seed, i, 8)),
        mobilePhone: null,
        officeLocation: guest ? null : pickOf(OFFICES, hash(seed, i, 9)),
        preferredLanguage: 'en-US',
        department: guest ? null : pickOf(DEPARTMENTS, hash(seed, i, 10)),
        companyName: null,
        usageLocation: guest ? null : 'US',
        lastSignInDateTime: signedIn ? iso(createdAt - Math.floor(unit(seed, i, 11) * 90 * DAY)) : null
      },
      mfa: { registration: enabled ? this.registrationAt(i) : null, perUserMfaState: this.perUserAt(i) }
    }
  }

  private perUserAt (i: number): PerUserMfaState {
    const r = this.rank.perUser(i)
    if (r < this.config.perUserEnforced) return 'enforced'
    return r < this.config.perUserEnforced + this.config.perUserEnabled ? 'enabled' : 'disabled'
  }

  private registrationAt (i: number): RegistrationInput {
    const { seed, createdAt } = this.config
    const registered = this.rank.registered(i) < this.config.mfaRegistered
    const methods: string[] = registered ? [...pickOf(METHOD_SETS, hash(seed, i, 30))] : unit(seed, i, 31) < 0.3 ? ['email'] : []
    const sspr = methods.length > 0
    return {
      isMfaRegistered: registered,
      methodsRegistered: methods,
      isAdmin: this.rank.admin(i) < this.config.admins,
      isMfaCapable: registered,
      isPasswordlessCapable: methods.includes('fido2') || methods.includes('windowsHelloForBusiness'),
      isSsprRegistered: sspr,
      isSsprEnabled: true,
      isSsprCapable: sspr,
      userPreferredMethodForSecondaryAuthentication: registered ? (PREFERRED[methods[0]!] ?? 'oath') : 'none',
      isSystemPreferredAuthenticationMethodEnabled: true,
      systemPreferredAuthenticationMethods: registered ? [PREFERRED[methods[0]!] ?? 'oath'] : [],
      lastUpdatedDateTime: iso(createdAt - Math.floor(unit(seed, i, 32) * 7 * DAY))
    }
  }

  /** A user in the recycle bin; its UPN carries its object id, as Entra does for deleted users. */
  deletedAt (i: number): UserEntry & { deletedDateTime: string } {
    const { seed, domain, createdAt } = this.config
    const first = pickOf(FIRST_NAMES, hash(seed, i, 41))
    const last = pickOf(LAST_NAMES, hash(seed, i, 42))
    const id = this.deletedId(i)
    const local = `${first}.${last}.d${i}`.toLowerCase()
    const mail = `${local}@${domain}`
    return {
      deletedDateTime: iso(createdAt - Math.floor(unit(seed, i, 43) * 25 * DAY)),
      user: {
        id,
        displayName: `${first} ${last}`,
        givenName: first,
        surname: last,
        userPrincipalName: `${id.replaceAll('-', '')}${mail}`,
        mail,
        mailNickname: local,
        otherMails: [],
        proxyAddresses: [`SMTP:${mail}`],
        userType: 'Member',
        accountEnabled: true,
        assignedLicenses: [],
        createdDateTime: iso(createdAt - Math.floor(unit(seed, i, 44) * 3 * 365 * DAY) - 30 * DAY),
        onPremisesSyncEnabled: null,
        externalUserState: null,
        externalUserStateChangeDateTime: null,
        businessPhones: [],
        jobTitle: pickOf(JOB_TITLES, hash(seed, i, 45)),
        mobilePhone: null,
        officeLocation: null,
        preferredLanguage: 'en-US',
        department: pickOf(DEPARTMENTS, hash(seed, i, 46)),
        companyName: null,
        usageLocation: 'US',
        lastSignInDateTime: null
      },
      mfa: { registration: null, perUserMfaState: 'disabled' }
    }
  }

  contactAt (i: number): OrgContactRecord {
    const { seed } = this.config
    const company = pickOf(CONTACT_COMPANIES, hash(seed, i, 51))
    const role = pickOf(CONTACT_ROLES, hash(seed, i, 52))
    const companySlug = company.toLowerCase().replace(/[^a-z]+/g, '')
    const mail = `${role}${i}@${companySlug}.example`
    return {
      id: populationGuid(seed, POPULATION.contact, i),
      displayName: `${company} ${role[0]!.toUpperCase()}${role.slice(1)} ${i}`,
      mail,
      mailNickname: `${companySlug}${role}${i}`,
      givenName: null,
      surname: null,
      companyName: company,
      jobTitle: null,
      department: null,
      proxyAddresses: [`SMTP:${mail}`],
      onPremisesSyncEnabled: null,
      businessPhones: [],
      mobilePhone: null
    }
  }
}
