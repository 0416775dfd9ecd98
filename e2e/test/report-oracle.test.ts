import { readFileSync } from 'node:fs'
import t, { type Test } from 'tap'
import type { ConditionalAccessPolicy, OrgContactInput, RegistrationInput, SkuInput, UserInput, UserRecord } from '@m365/m365-simulator'
import { buildConnectWiseWebhook, prng, sendWebhooks, type SimContact } from '@m365/psa-simulator'
import {
  backfill, buildVersion, connectPsa, connectTenant, contactDrift, createClient, createReport, finishedSync, firstSync, ingestContacts,
  listAll, mapCompanies, reportContacts, startStack, unprocessedDeliveries, versionRows, waitFor, type Api, type Row, type Stack, type Version
} from '../src/index.js'

/**
 * THE ORACLE: a varied tenant pair (hundreds of users, every MFA / licence / address case), PSA contacts
 * matching them in every documented way, the real pipeline (consent, full sync, backfill, a version,
 * then ~5% of changes, a delta sync, a second version), and EVERY row, the CSV, the licence and MFA
 * summaries, the merge counts and the diff compared with what this file computes on its own from the
 * simulators' state and the documented rules (DESIGN.md, docs/mfa.md, the column catalogue), never
 * with the project's code.
 */

// ---------- deterministic data -------------------------------------------------------------------

const rand = prng(20261107)
const chance = (p: number) => rand() < p
const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!
const guid = (n: number, kind: number) => `0a1e${String(kind).padStart(4, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`

const FIRST = ['Ana', 'Ben', 'Chloe', 'Dev', 'Emma', 'Farid', 'Grace', 'Hugo', 'Iris', 'Jon', 'Kira', 'Liam', 'Mona', 'Nils', 'Olga', 'Pia', 'Raj', 'Sara', 'Tom', 'Uma']
const LAST = ['Ng', 'Smith', 'Okafor', 'Ivanova', 'Berg', 'Costa', 'Dubois', 'Evans', 'Fischer', 'Garcia', 'Haddad', 'Ito']
const METHODS = [['microsoftAuthenticatorPush'], ['mobilePhone'], ['fido2', 'microsoftAuthenticatorPush'], ['softwareOneTimePasscode', 'email']]

// Names from the Microsoft list the product bundles (libs/graph/assets), read here on its own (skuId first, then part number, else the part number)
const skuCsv = readFileSync(new URL('../../libs/graph/assets/m365-skus.csv', import.meta.url), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','))
const NAME_BY_ID = new Map(skuCsv.map(([id, , name]) => [id!.toLowerCase(), name!]))
const NAME_BY_PART = new Map<string, string>()
for (const [, part, name] of skuCsv) if (!NAME_BY_PART.has(part!)) NAME_BY_PART.set(part!, name!)
const productName = (sku: OracleSku) => NAME_BY_ID.get(sku.skuId) ?? NAME_BY_PART.get(sku.part) ?? sku.part

interface OracleSku { skuId: string, part: string, enabled: number }
const SKU = {
  SPB: { skuId: 'cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46', part: 'SPB' },
  BASIC: { skuId: '3b555118-da6a-4418-894f-7df1e2096870', part: 'O365_BUSINESS_ESSENTIALS' },
  E3: { skuId: '05e9a617-0261-4cee-bb44-138d3ef5d965', part: 'SPE_E3' },
  PBI: { skuId: 'f8a1db68-be16-40ed-86d5-cb42ce701560', part: 'POWER_BI_PRO' },
  COPILOT: { skuId: '639dec6b-bb19-468b-871c-c5c441c4b0cb', part: 'Microsoft_365_Copilot' },
  VISIO: { skuId: 'c5928f49-12ba-48f7-ada3-0d743a3601d5', part: 'VISIOCLIENT' },
  // not in Microsoft's list: the product name falls back to the part number
  LAB: { skuId: '7e57ab00-0000-4000-8000-00000000ab01', part: 'CONTOSO_LAB_ADDON' }
} as const

interface TenantPlan {
  tenantId: string
  displayName: string
  domain: string
  initialDomain: string
  securityDefaults: boolean
  /** Entra ID P1/P2: without it the registration report answers 403 and every user account is Unknown */
  premium: boolean
  conditionalAccess: ConditionalAccessPolicy[]
  skus: OracleSku[]
  /** ids of the tenant's users (active and deleted) and org contacts, as created */
  userIds: string[]
  contactIds: string[]
  orgContacts: OrgContactInput[]
}

function slug (name: string) { return name.toLowerCase().replace(/[^a-z0-9]+/g, '') }

/** A tenant's users as people have them: every MFA, licence and address case, mixed. */
function planTenant (n: number, opts: { displayName: string, domain: string, users: number, deleted: number, contacts: number, primaries: Array<{ skuId: string, part: string }>, securityDefaults: boolean }) {
  const initialDomain = `${slug(opts.displayName)}.onmicrosoft.com`
  const users: UserInput[] = []
  const held = new Map<string, number>()
  const hold = (skuId: string) => held.set(skuId, (held.get(skuId) ?? 0) + 1)
  for (let i = 0; i < opts.users + opts.deleted; i++) {
    const deleted = i >= opts.users
    const first = pick(FIRST)
    const last = pick(LAST)
    const local = `${first}.${last}${n}${i}`.toLowerCase()
    const guest = !deleted && chance(0.12)
    const id = guid(n * 10_000 + i, 1)
    const enabled = deleted || !chance(0.1)
    const registered = enabled && chance(0.6)
    const registration: RegistrationInput | null = !enabled && chance(0.5)
      ? null
      : chance(0.05) ? null : { isMfaRegistered: registered, methodsRegistered: registered ? pick(METHODS) : chance(0.3) ? ['email'] : [] }
    const r = rand()
    const perUserMfaState = r < 0.15 ? 'enforced' as const : r < 0.3 ? 'enabled' as const : 'disabled' as const
    const licences: string[] = []
    if (!guest ? !chance(0.12) : chance(0.1)) {
      licences.push(pick(opts.primaries).skuId)
      if (chance(0.25)) licences.push(SKU.PBI.skuId)
      if (chance(0.1)) licences.push(SKU.LAB.skuId)
      if (chance(0.05)) licences.push(SKU.COPILOT.skuId)
    }
    let user: UserInput
    if (guest) {
      const home = pick(['contoso.example', 'northwind.example', 'gmail.example'])
      const mail = `${local}@${home}`
      user = {
        userPrincipalName: `${local}_${home}#EXT#@${initialDomain}`,
        mail,
        otherMails: [mail],
        proxyAddresses: [],
        userType: 'Guest',
        mailNickname: `${local}_${home}#EXT#`
      }
    } else {
      const v = rand()
      let upn = `${local}@${opts.domain}`
      let mail: string | null = upn
      let proxyAddresses = [`SMTP:${upn}`, `smtp:${local}@${initialDomain}`]
      let otherMails: string[] = []
      if (v < 0.12) { // mail differs from the UPN (a renamed mailbox): the UPN is only a proxy address or not at all
        mail = `${first}.${last}.m${i}@mail.${opts.domain}`.toLowerCase()
        proxyAddresses = [`SMTP:${mail}`, `smtp:${local}@${initialDomain}`]
      } else if (v < 0.24) { // typed in mixed case in Entra
        upn = `${first}.${last}${n}${i}@${opts.domain.toUpperCase()}`
        mail = `${first}.${last.toUpperCase()}${n}${i}@${opts.domain}`
        proxyAddresses = [`SMTP:${mail}`]
      } else if (v < 0.34) { // an alias among the proxy addresses
        proxyAddresses.push(`smtp:alias${n}${i}@${opts.domain}`, `SIP:${local}@${opts.domain}`, `X500:/o=ExchangeLabs/cn=${local}`)
      } else if (v < 0.42) { // a personal address in otherMails
        otherMails = [`${local}.home@personal.example`]
      } else if (v < 0.46) { // no mailbox
        mail = null
        proxyAddresses = []
      }
      user = { userPrincipalName: upn, mail, proxyAddresses, otherMails, userType: 'Member', mailNickname: local }
    }
    const entry: UserInput = {
      ...user,
      id,
      displayName: guest ? `${first} ${last} (guest)` : `${first} ${last}`,
      accountEnabled: enabled,
      assignedLicenses: licences.map((skuId) => ({ skuId, disabledPlans: [] })),
      registration: deleted ? null : registration,
      perUserMfaState: deleted ? 'disabled' : perUserMfaState
    }
    if (deleted) {
      entry.userPrincipalName = `${id.replaceAll('-', '')}${local}@${opts.domain}`
      entry.deletedDateTime = '2026-10-20T09:00:00Z'
      entry.userType = 'Member'
      entry.proxyAddresses = [`SMTP:${local}@${opts.domain}`]
      entry.mail = `${local}@${opts.domain}`
      entry.otherMails = []
    } else {
      for (const l of licences) hold(l)
    }
    users.push(entry)
  }
  const orgContacts: OrgContactInput[] = Array.from({ length: opts.contacts }, (_v, i) => {
    const mail = `orders${i}@supplier${n}.example`
    return { id: guid(n * 10_000 + i, 2), displayName: `Supplier ${n}-${i} Orders`, mail, proxyAddresses: [`SMTP:${mail}`], companyName: `Supplier ${n}` }
  })
  const skuOf = (s: { skuId: string, part: string }, slack: number): OracleSku => ({ ...s, enabled: Math.max(0, (held.get(s.skuId) ?? 0) + slack) })
  // some bought with room, one over-assigned (available < 0), one nobody holds
  const skus = [
    ...opts.primaries.map((s, k) => skuOf(s, k === 0 ? 5 : -2)),
    skuOf(SKU.PBI, 3), skuOf(SKU.LAB, 0), skuOf(SKU.COPILOT, 1), { ...SKU.VISIO, enabled: 10 }
  ]
  return { users, orgContacts, skus, initialDomain }
}

// ---------- what the report must say, computed from the simulators ---------------------------------

type Cell = string | number | boolean | string[] | null
interface Expected { key: string, values: Record<string, Cell>, contactCandidates: SimContact[], licences: OracleSku[] }
interface UserFacts { tenant: TenantPlan, kind: 'user' | 'orgContact', id: string, user?: UserRecord, deleted: boolean, registration?: RegistrationInput | null, perUser?: string, addresses: Array<{ address: string, kind: string, rank: number }> }

const COLUMNS = [
  'displayName', 'userPrincipalName', 'email', 'objectType', 'userType', 'accountEnabled', 'deleted', 'licenses', 'licenseCount',
  'mfaStatus', 'mfaRegistered', 'mfaMethods', 'perUserMfa', 'securityDefaults', 'conditionalAccess', 'mfaExplanation',
  'contactName', 'contactEmail', 'contactTitle', 'matchedBy', 'matchedAddress', 'source', 'tenantId', 'userId'
] as const
const LABELS: Record<string, string> = { displayName: 'Name', mfaStatus: 'MFA', contactName: 'PSA contact', licenses: 'Licences' }

/** Every address of a directory object the join may use, by the catalogue's order: mail, UPN, smtp: proxy addresses, otherMails. */
function addressesOf (u: { mail: string | null, userPrincipalName?: string | null, proxyAddresses: string[], otherMails?: string[] }) {
  const out: Array<{ address: string, kind: string, rank: number }> = []
  const add = (value: string | null | undefined, kind: string, rank: number) => {
    const address = value?.trim().toLowerCase()
    if (address && !out.some((a) => a.address === address)) out.push({ address, kind, rank })
  }
  add(u.mail, 'mail', 1)
  add(u.userPrincipalName, 'upn', 2)
  for (const p of u.proxyAddresses) if (/^smtp:/i.test(p)) add(p.slice(5), 'proxyAddress', 3)
  for (const o of u.otherMails ?? []) add(o, 'otherMail', 4)
  return out.sort((a, b) => a.rank - b.rank)
}

function caCovers (tenant: TenantPlan, u: UserRecord): boolean {
  return tenant.conditionalAccess.some((p) => {
    const users = p.conditions.users as { includeUsers: string[], excludeUsers: string[] }
    const apps = p.conditions.applications as { includeApplications: string[] }
    const grant = p.grantControls as { builtInControls: string[] } | null
    return p.state === 'enabled' && apps.includeApplications.includes('All') && (grant?.builtInControls.includes('mfa') ?? false) &&
      (users.includeUsers.includes('All') || users.includeUsers.includes(u.id)) && !users.excludeUsers.includes(u.id)
  })
}

const ANY_SENTENCE = '<any sentence>'

/** docs/mfa.md: the status (truth table) and, where the portal's view differs, the sentence it lists. */
function mfaOf (f: UserFacts) {
  if (f.kind === 'orgContact') {
    return { mfaStatus: 'N/A', mfaRegistered: null, mfaMethods: [], perUserMfa: 'unknown', securityDefaults: 'not_covered', conditionalAccess: 'not_covered', mfaExplanation: null }
  }
  const u = f.user!
  // the registration report lists enabled accounts only; a missing record is Disabled
  const record = !f.deleted && u.accountEnabled ? f.registration ?? null : null
  const registered = record?.isMfaRegistered === true
  const status = f.deleted ? 'Disabled' : !f.tenant.premium ? 'Unknown' : registered ? 'Enabled' : 'Disabled'
  const perUser = f.perUser!
  const sd = !f.tenant.securityDefaults || !u.accountEnabled ? 'not_covered' : u.userType === 'Guest' ? 'unknown' : 'covered'
  const ca = caCovers(f.tenant, u) ? 'covered' : 'not_covered'
  let explanation: string | null | undefined = null
  if (!f.tenant.premium && !f.deleted) {
    explanation = ANY_SENTENCE // docs/mfa.md: Unknown "with that reason"; its wording is not documented
  } else if (f.deleted) {
    explanation = undefined // what a deleted user had registered is not in any report the oracle can read: not checked
  } else if (status === 'Disabled') {
    if (u.userType === 'Guest') explanation = 'Guest user: MFA is usually done in their home tenant, but no method is registered in this tenant.'
    else if (perUser === 'enforced') explanation = 'Per-user MFA is enforced, but no method is registered yet.'
    else if (perUser === 'enabled') explanation = 'Per-user MFA is enabled, but the user has not registered a method yet.'
    else if (sd === 'covered') explanation = 'Covered by security defaults, but no method is registered yet.'
    else if (ca === 'covered') explanation = 'A conditional access policy requires MFA, but no method is registered yet.'
  } else if (perUser === 'disabled' && sd !== 'covered' && ca !== 'covered') {
    // the documented sentence when nothing enforces MFA; when a coverage is unknown (a guest under security
    // defaults) the docs list no wording: some sentence, not checked word for word
    explanation = sd === 'not_covered' && ca === 'not_covered' ? 'Registered, but nothing enforces MFA for this user.' : ANY_SENTENCE
  }
  return {
    mfaStatus: status,
    mfaRegistered: f.deleted || !f.tenant.premium ? undefined : registered,
    mfaMethods: f.tenant.premium ? record?.methodsRegistered ?? [] : undefined,
    perUserMfa: f.deleted ? undefined : perUser,
    securityDefaults: f.deleted ? undefined : sd,
    conditionalAccess: f.deleted ? undefined : ca,
    mfaExplanation: explanation
  }
}

interface OracleState { facts: UserFacts[], contacts: SimContact[] }

/** The simulators as they are now (per-user state: as of `perUserAsOf`, the last full sync). */
function readState (stack: Stack, tenants: TenantPlan[], companyId: number, perUserAsOf: Map<string, string>): OracleState {
  const { m365, psa } = stack.sims
  const facts: UserFacts[] = []
  for (const tenant of tenants) {
    for (const id of tenant.userIds) {
      const view = m365.admin.getUser(tenant.tenantId, id)
      if (!view) continue
      const deleted = view.state !== 'active'
      facts.push({
        tenant,
        kind: 'user',
        id,
        user: view.user,
        deleted,
        registration: view.mfa.registration,
        perUser: perUserAsOf.get(id) ?? view.mfa.perUserMfaState,
        addresses: addressesOf(view.user)
      })
    }
    for (const c of tenant.orgContacts) {
      facts.push({ tenant, kind: 'orgContact', id: c.id!, deleted: false, addresses: addressesOf({ mail: c.mail ?? null, proxyAddresses: c.proxyAddresses ?? [] }) })
    }
  }
  return { facts, contacts: psa.admin.listContacts({ companyId }) }
}

function expectedRows (state: OracleState): Map<string, Expected> {
  const contactAddresses = state.contacts.map((c) => ({ contact: c, addresses: c.emails.map((e, i) => ({ address: e.trim().toLowerCase(), primary: i === 0 })) }))
  const out = new Map<string, Expected>()
  for (const f of state.facts) {
    // best match: the user's address rank (mail, UPN, proxy, other mail), then the contact's primary address; ties are undocumented
    let best: { rank: number, primary: boolean, address: string, kind: string } | undefined
    let candidates: SimContact[] = []
    for (const a of f.addresses) {
      for (const { contact, addresses } of contactAddresses) {
        const hit = addresses.find((x) => x.address === a.address)
        if (!hit) continue
        const better = !best || a.rank < best.rank || (a.rank === best.rank && hit.primary && !best.primary)
        const same = best && a.rank === best.rank && hit.primary === best.primary
        if (better) { best = { rank: a.rank, primary: hit.primary, address: a.address, kind: a.kind }; candidates = [contact] } else if (same) candidates.push(contact)
      }
    }
    const u = f.user
    const licences = u && f.kind === 'user'
      ? u.assignedLicenses.map((l) => f.tenant.skus.find((s) => s.skuId === l.skuId.toLowerCase()) ?? { skuId: l.skuId, part: l.skuId, enabled: 0 })
      : []
    const contact = candidates[0]
    const orgContact = f.kind === 'orgContact' ? f.tenant.orgContacts.find((c) => c.id === f.id)! : undefined
    const mail = u ? u.mail : orgContact!.mail ?? null
    const values: Record<string, Cell> = {
      displayName: u ? u.displayName : orgContact!.displayName,
      userPrincipalName: u ? u.userPrincipalName : null,
      email: mail ?? contact?.emails[0]?.toLowerCase() ?? null,
      objectType: f.kind,
      userType: u ? u.userType : null,
      accountEnabled: u ? u.accountEnabled : null,
      deleted: f.deleted,
      licenses: licences.map(productName).sort(),
      licenseCount: licences.length,
      ...mfaOf(f) as Record<string, Cell>,
      contactName: contact ? `${contact.firstName} ${contact.lastName}`.trim() : null,
      contactEmail: contact?.emails[0]?.toLowerCase() ?? null,
      contactTitle: contact?.title ?? null,
      matchedBy: best?.kind ?? null,
      matchedAddress: best?.address ?? null,
      source: contact ? 'o365+contact' : 'o365',
      tenantId: f.tenant.tenantId,
      userId: f.id
    }
    out.set(`${f.tenant.tenantId}:${f.id}`, { key: `${f.tenant.tenantId}:${f.id}`, values, contactCandidates: candidates, licences })
  }
  return out
}

function expectedLicenceSummary (state: OracleState) {
  const bySku = new Map<string, { skuId: string, skuPartNumber: string, productName: string, total: number, assigned: number, assignedToDisabled: number, assignedToDeleted: number }>()
  const entry = (s: OracleSku) => {
    let e = bySku.get(s.skuId)
    if (!e) bySku.set(s.skuId, (e = { skuId: s.skuId, skuPartNumber: s.part, productName: productName(s), total: 0, assigned: 0, assignedToDisabled: 0, assignedToDeleted: 0 }))
    return e
  }
  for (const tenant of new Set(state.facts.map((f) => f.tenant))) for (const s of tenant.skus) entry(s).total += s.enabled
  for (const f of state.facts) {
    if (f.kind !== 'user') continue
    for (const l of f.user!.assignedLicenses) {
      const e = entry(f.tenant.skus.find((s) => s.skuId === l.skuId.toLowerCase())!)
      if (f.deleted) e.assignedToDeleted++
      else {
        e.assigned++ // consumed units: what active accounts hold
        if (!f.user!.accountEnabled) e.assignedToDisabled++
      }
    }
  }
  return [...bySku.values()].map((e) => ({ ...e, available: e.total - e.assigned }))
    .sort((a, b) => a.skuPartNumber < b.skuPartNumber ? -1 : a.skuPartNumber > b.skuPartNumber ? 1 : a.skuId < b.skuId ? -1 : 1)
}

function expectedMfaSummary (rows: Map<string, Expected>, state: OracleState) {
  const values = [...rows.values()].map((r) => r.values)
  const members = state.facts.filter((f) => f.kind === 'user' && f.user!.userType === 'Member' && f.user!.accountEnabled && !f.deleted)
  const withMfa = members.filter((f) => rows.get(`${f.tenant.tenantId}:${f.id}`)!.values.mfaStatus === 'Enabled').length
  return {
    enabled: values.filter((v) => v.mfaStatus === 'Enabled').length,
    disabled: values.filter((v) => v.mfaStatus === 'Disabled').length,
    notApplicable: values.filter((v) => v.mfaStatus === 'N/A').length,
    unknown: values.filter((v) => v.mfaStatus === 'Unknown').length,
    total: values.length,
    enabledMemberAccounts: members.length,
    enabledMembersWithMfa: withMfa,
    enabledMembersWithMfaPercent: members.length === 0 ? null : Math.round((withMfa * 1000) / members.length) / 10
  }
}

/** MergeStats' documented counts over all users and contacts (any match counts, not only the row's). */
function expectedMergeCounts (rows: Map<string, Expected>, state: OracleState) {
  const licensed = state.facts.filter((f) => f.kind === 'user' && !f.deleted && f.user!.assignedLicenses.length > 0)
  const matches = (f: UserFacts, c: SimContact) => c.emails.some((e) => f.addresses.some((a) => a.address === e.trim().toLowerCase()))
  const values = [...rows.values()].map((r) => r.values)
  const by = (kind: string) => values.filter((v) => v.matchedBy === kind).length
  return {
    rows: rows.size,
    matched: values.filter((v) => v.source === 'o365+contact').length,
    matchedBy: { mail: by('mail'), upn: by('upn'), proxyAddress: by('proxyAddress'), otherMail: by('otherMail') },
    contacts: state.contacts.length,
    contactsWithoutLicense: state.contacts.filter((c) => !licensed.some((f) => matches(f, c))).length,
    licensedUsers: licensed.length,
    licensedUsersWithoutContact: licensed.filter((f) => !state.contacts.some((c) => matches(f, c))).length
  }
}

/**
 * contacts+o365: a row per contact of the client, the O365 data of the user its address matches (best
 * address kind first; which of equally good users wins is not documented, so any of them), else none.
 */
function expectedContactRows (state: OracleState, o365: Map<string, Expected>) {
  const out = new Map<string, { values: Record<string, Cell>, users: string[] }>()
  for (const c of state.contacts) {
    const addresses = c.emails.map((e) => e.trim().toLowerCase())
    let bestRank = Infinity
    let users: string[] = []
    for (const f of state.facts) {
      const hit = f.addresses.filter((a) => addresses.includes(a.address)).sort((a, b) => a.rank - b.rank)[0]
      if (!hit || hit.rank > bestRank) continue
      if (hit.rank < bestRank) { bestRank = hit.rank; users = [] }
      users.push(`${f.tenant.tenantId}:${f.id}`)
    }
    const none: Record<string, Cell> = Object.fromEntries(COLUMNS.map((k) => [k, null]))
    const own = {
      contactName: `${c.firstName} ${c.lastName}`.trim(), contactEmail: addresses[0] ?? null, contactTitle: c.title, contactPhone: c.phone, source: 'contact', email: addresses[0] ?? null
    }
    out.set(c.phone!, { values: { ...none, ...own }, users })
  }
  return out
}

async function compareContactRows (t: Test, what: string, version: Version, state: OracleState, o365: Map<string, Expected>, rows: Row[]) {
  const expected = expectedContactRows(state, o365)
  const counts = { mail: 0, upn: 0, proxyAddress: 0, otherMail: 0 }
  const byPhone = new Map(rows.map((r) => [String(r.values.contactPhone), r]))
  t.equal(rows.length, state.contacts.length, `${what}: a row per contact (${state.contacts.length}), with or without an address`)
  t.same([...expected.keys()].filter((k) => !byPhone.has(k)), [], `${what}: every contact has its row`)
  const diffs: string[] = []
  for (const [phone, exp] of expected) {
    const row = byPhone.get(phone)
    if (!row) continue
    let want = exp.values
    if (exp.users.length > 0) {
      const key = exp.users.find((k) => k === `${String(row.values.tenantId)}:${String(row.values.userId)}`)
      if (!key) { diffs.push(`${phone} ${String(want.contactName)}: joined to ${String(row.values.userId)}, expected one of ${exp.users.join(' ')}`); continue }
      const user = o365.get(key)!.values
      const [contactName, contactEmail, contactTitle, contactPhone] = (['contactName', 'contactEmail', 'contactTitle', 'contactPhone'] as const).map((k) => want[k] ?? null) as [Cell, Cell, Cell, Cell]
      const f = state.facts.find((x) => `${x.tenant.tenantId}:${x.id}` === key)!
      const mail = f.user ? f.user.mail : f.tenant.orgContacts.find((o) => o.id === f.id)?.mail ?? null
      want = { ...user, contactName, contactEmail, contactTitle, contactPhone, source: 'o365+contact', email: mail ?? contactEmail }
      // the match is this contact's, not the one the user's own row shows
      const contact = state.contacts.find((c) => c.phone === phone)!
      const hit = f.addresses.filter((a) => contact.emails.some((e) => e.trim().toLowerCase() === a.address)).sort((a, b) => a.rank - b.rank)[0]!
      want.matchedBy = hit.kind
      want.matchedAddress = hit.address
      counts[hit.kind as keyof typeof counts]++
    }
    for (const column of [...COLUMNS, 'contactPhone']) {
      let w = want[column]
      let got = norm(row.values[column])
      if (w === undefined) continue
      if (w === ANY_SENTENCE && typeof got === 'string') continue
      if (column === 'contactEmail' && typeof got === 'string') got = got.toLowerCase()
      if (column === 'email' && typeof got === 'string' && typeof w === 'string' && exp.users.length === 0) { got = got.toLowerCase(); w = w.toLowerCase() }
      if (JSON.stringify(got) !== JSON.stringify(w)) diffs.push(`${phone} ${String(want.contactName)} ${column}: expected ${JSON.stringify(w)}, got ${JSON.stringify(got)}`)
    }
  }
  t.same(diffs.slice(0, 8), [], `${what}: every contact row as the oracle computes it (${diffs.length} cells differ)`)
  const matched = [...expected.values()].filter((e) => e.users.length > 0).length
  t.same(version.mergeStats, { ...expectedMergeCounts(o365, state), mode: 'contacts+o365', rows: state.contacts.length, matched, matchedBy: counts },
    `${what}: the merge counts (rows and matches of this version, the rest over all users and contacts)`)
}

// ---------- comparing ------------------------------------------------------------------------------

const norm = (v: unknown) => v === undefined ? null : v

/** Every cell of every row against the oracle; differences grouped per column, a few examples each. */
function compareRows (t: Test, what: string, expected: Map<string, Expected>, rows: Row[]) {
  const byKey = new Map(rows.map((r) => [`${String(r.values.tenantId)}:${String(r.values.userId)}`, r]))
  t.same([...byKey.keys()].filter((k) => !expected.has(k)), [], `${what}: no row the oracle does not expect`)
  t.same([...expected.keys()].filter((k) => !byKey.has(k)), [], `${what}: a row for every directory object`)
  t.equal(rows.length, byKey.size, `${what}: each directory object once`)
  const diffs = new Map<string, string[]>()
  const note = (column: string, text: string) => { const l = diffs.get(column) ?? []; l.push(text); diffs.set(column, l) }
  for (const [key, exp] of expected) {
    const row = byKey.get(key)
    if (!row) continue
    for (const column of COLUMNS) {
      const want = exp.values[column]
      if (want === undefined) continue // not documented for this kind of row (see the note at mfaOf's callers)
      let got = norm(row.values[column])
      if (column.startsWith('contact') && exp.contactCandidates.length > 1) {
        // a duplicate address: which of the equally good contacts wins is not documented; any one of them, consistently
        const chosen = exp.contactCandidates.find((c) => `${c.firstName} ${c.lastName}` === row.values.contactName)
        if (chosen) {
          const alt: Record<string, Cell> = { contactName: `${chosen.firstName} ${chosen.lastName}`, contactEmail: chosen.emails[0]!.toLowerCase(), contactTitle: chosen.title }
          if (JSON.stringify(norm(got)) !== JSON.stringify(alt[column])) note(column, `${key}: ${JSON.stringify(got)} is not the chosen contact's ${JSON.stringify(alt[column])}`)
          continue
        }
      }
      if (column === 'contactEmail' && typeof got === 'string') got = got.toLowerCase() // stored normalised; the PSA's case is not promised
      if (want === ANY_SENTENCE && typeof got === 'string' && got.length > 0) continue
      if (JSON.stringify(got) !== JSON.stringify(want)) note(column, `${String(exp.values.displayName)} <${String(exp.values.userPrincipalName ?? exp.values.email)}>: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`)
    }
  }
  for (const column of COLUMNS) {
    const list = diffs.get(column) ?? []
    t.same(list.slice(0, 6), [], `${what}: column ${column} as the oracle computes it (${list.length} rows differ)`)
  }
}

/** RFC 4180, as report writes it (CRLF records, quoted fields). */
function parseCsv (text: string): string[][] {
  const records: string[][] = []
  let field = ''
  let record: string[] = []
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++ } else if (ch === '"') quoted = false
      else field += ch
    } else if (ch === '"') quoted = true
    else if (ch === ',') { record.push(field); field = '' } else if (ch === '\r' && text[i + 1] === '\n') { record.push(field); records.push(record); record = []; field = ''; i++ } else field += ch
  }
  if (field !== '' || record.length > 0) { record.push(field); records.push(record) }
  return records
}

/** A cell as the catalogue says the CSV shows it: lists joined by "; ", empty for null, a quote before a formula start. */
function csvText (v: Cell): string {
  if (v === null) return ''
  const text = Array.isArray(v) ? v.join('; ') : String(v)
  return typeof v === 'string' || Array.isArray(v) ? (/^[=+\-@\t\r]/.test(text) ? `'${text}` : text) : text
}

async function compareCsv (t: Test, api: Api, what: string, version: Version, rows: Row[]) {
  const res = await api.raw('GET', `/v1/report-versions/${version.id}/rows`, { accept: 'text/csv' })
  t.equal(res.status, 200, `${what}: CSV through the gateway`)
  const [header, ...records] = parseCsv(res.text)
  const frozen = (version as Version & { columns: Array<{ key: string, label: string, visible: boolean }> }).columns
  t.same(frozen.map((c) => c.key), [...COLUMNS], `${what}: the version keeps the template's columns, in order`)
  t.same(Object.keys(LABELS).map((k) => frozen.find((c) => c.key === k)?.label), Object.values(LABELS), `${what}: renamed columns keep their labels`)
  t.same(header, frozen.filter((c) => c.visible).map((c) => c.label), `${what}: CSV header, the version's labels in order`)
  const mismatches: string[] = []
  records.forEach((rec, i) => {
    const row = rows[i]
    if (!row) return
    const want = COLUMNS.map((c) => csvText(norm(row.values[c]) as Cell))
    if (JSON.stringify(rec) !== JSON.stringify(want)) mismatches.push(`row ${i + 1}: ${JSON.stringify(rec)} vs ${JSON.stringify(want)}`)
  })
  t.equal(records.length, rows.length, `${what}: a CSV record per row`)
  t.same(mismatches.slice(0, 5), [], `${what}: every CSV record says what its JSON row says, in the same order (${mismatches.length} differ)`)
}

function compareVersion (t: Test, what: string, version: Version, expected: Map<string, Expected>, state: OracleState) {
  t.equal(version.rowCount, expected.size, `${what}: rowCount`)
  t.same(version.licenseSummary, expectedLicenceSummary(state), `${what}: the licence summary, SKU by SKU`)
  t.same(version.mfaSummary, expectedMfaSummary(expected, state), `${what}: the MFA summary`)
  t.match(version.mergeStats, expectedMergeCounts(expected, state), `${what}: the merge counts`)
}

async function readVersion (t: Test, stack: Stack, what: string, version: Version, expected: Map<string, Expected>, state: OracleState) {
  compareVersion(t, what, version, expected, state)
  const rows = await versionRows(stack.api, version.id)
  t.same(rows.map((r) => r.rowNumber), rows.map((_r, i) => i + 1), `${what}: rows numbered 1..n`)
  compareRows(t, what, expected, rows)
  await compareCsv(t, stack.api, what, version, rows)
  return rows
}

/** report's read model has applied this sync of the tenant (read-only look, as checks.ts does). */
async function syncApplied (stack: Stack, tenantId: string, syncId: string) {
  await waitFor(`report to apply sync ${syncId}`, async () => {
    const [row] = await stack.sql<Array<{ sync_id: string }>>`select sync_id from report.tenant_sync_state where tenant_id = ${tenantId}`
    return row?.sync_id === syncId
  }, 60_000)
}

async function contactsSettled (stack: Stack, connectionId: string) {
  await waitFor('report to hold the contacts contacts-ingest holds', async () => {
    const d = contactDrift(await ingestContacts(stack.sql, connectionId), await reportContacts(stack.sql, connectionId))
    return d.length === 0
  }, 60_000)
}

// ---------- the scenario ---------------------------------------------------------------------------

t.test('oracle: every row, the CSV, the summaries and the diff of two versions equal an independent computation', async (t) => {
  const stack = await startStack(t, { name: 'oracle' })
  const { api, sims: { m365, psa } } = stack

  const dental = planTenant(1, { displayName: 'Oracle Dental', domain: 'oracle-dental.example', users: 240, deleted: 10, contacts: 6, primaries: [SKU.SPB, SKU.BASIC], securityDefaults: true })
  const labs = planTenant(2, { displayName: 'Oracle Labs', domain: 'oracle-labs.example', users: 70, deleted: 4, contacts: 3, primaries: [SKU.E3, SKU.BASIC], securityDefaults: false })
  const labExcluded = labs.users.slice(0, 5).map((u) => u.id!)
  const policies: ConditionalAccessPolicy[] = [{
    id: guid(1, 9),
    displayName: 'Require MFA for all users',
    state: 'enabled',
    conditions: { applications: { includeApplications: ['All'] }, users: { includeUsers: ['All'], excludeUsers: labExcluded, includeGroups: [], excludeGroups: [], includeRoles: [], excludeRoles: [] } },
    grantControls: { operator: 'OR', builtInControls: ['mfa'] }
  }, {
    id: guid(2, 9),
    displayName: 'Report-only: MFA for the excluded',
    state: 'enabledForReportingButNotEnforced',
    conditions: { applications: { includeApplications: ['All'] }, users: { includeUsers: labExcluded, excludeUsers: [], includeGroups: [], excludeGroups: [], includeRoles: [], excludeRoles: [] } },
    grantControls: { operator: 'OR', builtInControls: ['mfa'] }
  }]
  const shop = planTenant(3, { displayName: 'Oracle Shop', domain: 'oracle-shop.example', users: 20, deleted: 2, contacts: 1, primaries: [SKU.BASIC], securityDefaults: true })
  const plans: Array<[ReturnType<typeof planTenant>, string, string, boolean, ConditionalAccessPolicy[], 'free' | 'p1' | 'p2']> = [
    [dental, 'Oracle Dental', 'oracle-dental.example', true, [], 'p1'],
    [labs, 'Oracle Labs', 'oracle-labs.example', false, policies, 'p2'],
    [shop, 'Oracle Shop', 'oracle-shop.example', true, [], 'free']
  ]
  const tenants: TenantPlan[] = plans.map(([p, displayName, domain, securityDefaults, conditionalAccess, licenseTier], k) => {
    const tenantId = guid(k + 1, 7)
    const skuInputs: SkuInput[] = p.skus.map((s) => ({ skuPartNumber: s.part, skuId: s.skuId, enabled: s.enabled }))
    m365.admin.createTenant({
      tenantId,
      displayName,
      defaultDomain: domain,
      userCount: 0,
      users: p.users,
      contacts: p.orgContacts,
      skus: skuInputs,
      licenseTier,
      securityDefaults,
      conditionalAccess,
      reportThrottle: null
    })
    return {
      tenantId,
      displayName,
      domain,
      initialDomain: p.initialDomain,
      securityDefaults,
      premium: licenseTier !== 'free',
      conditionalAccess,
      skus: p.skus,
      userIds: p.users.map((u) => u.id!),
      contactIds: p.orgContacts.map((c) => c.id!),
      orgContacts: p.orgContacts
    }
  })
  const [dentalT, labsT] = tenants as [TenantPlan, TenantPlan, TenantPlan]

  // --- PSA contacts of the client's company: most people by one of their addresses, as typed in the PSA
  const company = psa.admin.createCompany({ name: 'Oracle Group' })
  const other = psa.admin.createCompany({ name: 'Somebody Else' })
  let phones = 0
  const contact = (firstName: string, lastName: string, emails: string[], title: string | null = null) =>
    psa.admin.createContact({ companyId: company.id, firstName, lastName, emails, title, phone: `+1 555 ${String(++phones).padStart(4, '0')}` })
  const people = tenants.flatMap((tp) => tp.userIds.map((id) => ({ tp, id })))
  const caseMix = (s: string) => s.split('').map((ch, i) => (i % 3 === 0 ? ch.toUpperCase() : ch)).join('')
  for (const { tp, id } of people) {
    if (!chance(0.8)) continue
    const u = m365.admin.getUser(tp.tenantId, id)!.user
    const addresses = addressesOf(u)
    const a = pick(addresses.length > 0 ? addresses : [{ address: '', kind: '', rank: 0 }]).address
    if (!a) continue
    const style = rand()
    const emails = style < 0.3 ? [a.toUpperCase()] : style < 0.6 ? [caseMix(a)] : style < 0.8 ? [`${u.givenName ?? 'x'}.work${id.slice(-4)}@psa-only.example`, a] : [a]
    contact(u.givenName ?? 'Someone', u.surname ?? '-', emails, pick(['Dentist', 'Nurse', 'Lab tech', 'Office manager', null]))
  }
  const duplicated = m365.admin.getUser(dentalT.tenantId, dentalT.userIds[3]!)!.user
  contact('Dup', 'Second', [duplicated.userPrincipalName.toLowerCase()], 'Duplicate')
  contact('Dup', 'Third', [duplicated.userPrincipalName.toUpperCase()], 'Duplicate too')
  contact('Supplier', 'Desk', [dental.orgContacts[0]!.mail!.toUpperCase()], 'Orders')
  for (let i = 0; i < 25; i++) contact(`Stranger${i}`, 'Nomatch', [`stranger${i}@elsewhere.example`], 'Visitor')
  for (let i = 0; i < 4; i++) contact(`Phone${i}`, 'Only', [], 'No email')
  const newcomerContact = contact('Nina', 'Newcomer', ['nina.newcomer@oracle-dental.example'], 'Starts soon')
  psa.admin.createContact({ companyId: other.id, firstName: 'Not', lastName: 'Ours', emails: [duplicated.mail ?? 'x@y.example'] })

  // --- the pipeline: consent, first (full) sync of both tenants, PSA backfill, a version
  const clientId = await createClient(api, 'Oracle Group')
  for (const tp of tenants) await connectTenant(stack, clientId, tp.tenantId)
  const firstSyncs = await Promise.all(tenants.map(async (tp) => await firstSync(api, clientId, tp.tenantId)))
  for (const [k, run] of firstSyncs.entries()) t.equal((run as { mode?: string | null }).mode, 'full', `${tenants[k]!.displayName}: the first sync is full`)
  await Promise.all(firstSyncs.map(async (run, k) => { await syncApplied(stack, tenants[k]!.tenantId, run.syncId) }))
  const connection = await connectPsa(stack, 'connectwise')
  await mapCompanies(api, connection.id, [{ companyExternalId: String(company.id), clientId }])
  await backfill(api, connection.id)
  await contactsSettled(stack, connection.id)

  const template = await api.post<{ id: string }>('/v1/templates', {
    name: 'Oracle: every column that matters',
    office365: { mergeMode: 'o365+contacts', columns: COLUMNS.map((key) => ({ key, ...(LABELS[key] ? { label: LABELS[key] } : {}) })) }
  })
  const reportId = await createReport(api, clientId, 'Oracle', template.id)
  const perUserAtFullSync = new Map<string, string>()
  for (const tp of tenants) for (const id of tp.userIds) perUserAtFullSync.set(id, m365.admin.getUser(tp.tenantId, id)?.mfa.perUserMfaState ?? 'disabled')
  const state1 = readState(stack, tenants, company.id, perUserAtFullSync)
  const expected1 = expectedRows(state1)
  t.ok(expected1.size > 300, `the oracle expects ${expected1.size} rows`)
  const v1 = await buildVersion(api, reportId)
  const rows1 = await readVersion(t, stack, 'version 1', v1, expected1, state1)

  // --- ~5% of the tenants change; a delta sync; version 2
  const active = (tp: TenantPlan) => tp.userIds.filter((id) => m365.admin.getUser(tp.tenantId, id)?.state === 'active')
  const dentalActive = active(dentalT)
  const labsActive = active(labsT)
  const notRegistered = dentalActive.filter((id) => { const v = m365.admin.getUser(dentalT.tenantId, id)!; return v.user.accountEnabled && v.mfa.registration?.isMfaRegistered === false })
  for (const id of notRegistered.slice(0, 5)) m365.admin.setRegistration(dentalT.tenantId, id, { isMfaRegistered: true, methodsRegistered: ['microsoftAuthenticatorPush'] })
  const registeredLab = labsActive.find((id) => m365.admin.getUser(labsT.tenantId, id)!.mfa.registration?.isMfaRegistered === true)!
  m365.admin.setRegistration(labsT.tenantId, registeredLab, { isMfaRegistered: false, methodsRegistered: [] })
  const licensed = dentalActive.filter((id) => m365.admin.getUser(dentalT.tenantId, id)!.user.assignedLicenses.some((l) => l.skuId === SKU.SPB.skuId))
  m365.admin.assignLicense(dentalT.tenantId, licensed[0]!, { removeLicenses: [SKU.SPB.skuId], addLicenses: [SKU.BASIC.skuId] })
  m365.admin.assignLicense(dentalT.tenantId, licensed[1]!, { addLicenses: [SKU.VISIO.skuId, SKU.COPILOT.skuId] })
  m365.admin.assignLicense(dentalT.tenantId, licensed[2]!, { removeLicenses: [SKU.SPB.skuId] })
  m365.admin.assignLicense(labsT.tenantId, labsActive[10]!, { addLicenses: [SKU.LAB.skuId] })
  const matchedDental = dentalActive.filter((id) => expected1.get(`${dentalT.tenantId}:${id}`)?.values.source === 'o365+contact')
  m365.admin.deleteUser(dentalT.tenantId, matchedDental[5]!)
  m365.admin.deleteUser(labsT.tenantId, labsActive[20]!)
  const renamed = matchedDental[8]!
  const renamedMail = `renamed.person@mail.${dentalT.domain}`
  m365.admin.updateUser(dentalT.tenantId, renamed, { mail: renamedMail, proxyAddresses: [`SMTP:${renamedMail}`], otherMails: [] })
  const aliased = dentalActive.filter((id) => !matchedDental.includes(id))[0]!
  const aliasUser = m365.admin.getUser(dentalT.tenantId, aliased)!.user
  m365.admin.updateUser(dentalT.tenantId, aliased, { proxyAddresses: [...aliasUser.proxyAddresses, 'smtp:stranger3@elsewhere.example'] })
  m365.admin.updateUser(dentalT.tenantId, dentalActive[30]!, { accountEnabled: false })
  const newcomer = m365.admin.addUser(dentalT.tenantId, {
    id: guid(99_999, 1),
    displayName: 'Nina Newcomer',
    userPrincipalName: 'Nina.Newcomer@oracle-dental.example',
    assignedLicenses: [{ skuId: SKU.SPB.skuId, disabledPlans: [] }],
    registration: { isMfaRegistered: true, methodsRegistered: ['fido2'] },
    perUserMfaState: 'enforced'
  })
  dentalT.userIds.push(newcomer.id)
  // a per-user state change alone never shows in users/delta (docs/mfa.md): still the full sync's value in version 2
  m365.admin.setPerUserMfa(dentalT.tenantId, dentalActive[40]!, m365.admin.getUser(dentalT.tenantId, dentalActive[40]!)!.mfa.perUserMfaState === 'enforced' ? 'disabled' : 'enforced')
  perUserAtFullSync.set(newcomer.id, 'enforced')
  // the recycle bin: one user restored (back with its UPN, licences and MFA record), one purged
  const binned = (tp: TenantPlan) => tp.userIds.filter((id) => m365.admin.getUser(tp.tenantId, id)?.state === 'softDeleted')
  const restored = binned(dentalT).find((id) => m365.admin.getUser(dentalT.tenantId, id)!.user.assignedLicenses.length > 0)!
  m365.admin.restoreUser(dentalT.tenantId, restored)
  m365.admin.setRegistration(dentalT.tenantId, restored, { isMfaRegistered: true, methodsRegistered: ['mobilePhone'] })
  m365.admin.hardDeleteUser(labsT.tenantId, binned(labsT)[0]!)

  // PSA changes by signed webhooks: an address changed (no longer matching), a contact deleted, a new one by a guest's other mail
  const matchedContacts = psa.admin.listContacts({ companyId: company.id }).filter((c) => c.emails.length === 1 && c.title !== null && !c.lastName.startsWith('Nomatch'))
  const moved = psa.admin.updateContact(matchedContacts[0]!.id, { emails: ['moved.away@elsewhere.example'] })
  const gone = psa.admin.deleteContact(matchedContacts[1]!.id)
  const guest = m365.admin.getUser(dentalT.tenantId, dentalActive.find((id) => m365.admin.getUser(dentalT.tenantId, id)!.user.userType === 'Guest')!)!.user
  const added = contact('Gail', 'Guest', [guest.otherMails[0]!.toUpperCase()], 'Consultant')
  const hooks = await sendWebhooks({
    psa: 'connectwise',
    signingKey: psa.admin.signingKey(),
    retries: { attempts: 1, delayMs: 0 },
    targetUrl: `${stack.url}${connection.webhookPath}`,
    events: [
      buildConnectWiseWebhook(moved, { action: 'updated', keyUrl: psa.keyUrl() }),
      buildConnectWiseWebhook(gone, { action: 'deleted', keyUrl: psa.keyUrl(), variant: 'no-entity' }),
      buildConnectWiseWebhook(added, { action: 'added', keyUrl: psa.keyUrl() })
    ]
  })
  t.equal(hooks.failed, 0, 'the PSA\'s three webhooks are accepted')
  await waitFor('contacts-ingest to process every delivery', async () => await unprocessedDeliveries(stack.sql) === 0)
  await contactsSettled(stack, connection.id)
  t.ok(newcomerContact.id > 0, 'a PSA contact waits for the newcomer')

  const changed = 5 + 1 + 4 + 2 + 2 + 1 + 1 + 2
  t.ok(changed / expected1.size > 0.04, `${changed} changes (~5% of the tenants)`)
  const deltaRuns = await Promise.all(tenants.map(async (tp) => {
    const { syncId } = await api.post<{ syncId: string }>(`/v1/clients/${clientId}/tenants/${tp.tenantId}/sync`, { mode: 'auto' })
    return await finishedSync(api, syncId)
  }))
  for (const [k, run] of deltaRuns.entries()) t.equal((run as { mode?: string | null }).mode, 'delta', `${tenants[k]!.displayName}: the next sync is a delta`)
  await Promise.all(deltaRuns.map(async (run, k) => { await syncApplied(stack, tenants[k]!.tenantId, run.syncId) }))

  const state2 = readState(stack, tenants, company.id, perUserAtFullSync)
  const expected2 = expectedRows(state2)
  const v2 = await buildVersion(api, reportId)
  t.equal(v2.number, 2, 'version 2')
  const rows2 = await readVersion(t, stack, 'version 2', v2, expected2, state2)
  t.same(await listAll(api, `/v1/clients/${clientId}/office365/licenses`), expectedLicenceSummary(state2), 'the client\'s current licences, as the version\'s summary')

  // --- the same data the other way round: a row per PSA contact, O365 data added
  const byContact = await api.post<{ id: string }>('/v1/templates', {
    name: 'Oracle: contacts first',
    office365: { mergeMode: 'contacts+o365', columns: [...COLUMNS, 'contactPhone'].map((key) => ({ key })) }
  })
  const contactVersion = await buildVersion(api, await createReport(api, clientId, 'Oracle by contact', byContact.id))
  await compareContactRows(t, 'contacts+o365', contactVersion, state2, expected2, await versionRows(api, contactVersion.id))

  // --- the diff of the two versions: what the oracle says changed
  const diff = await api.get<{
    usersAdded: { total: number, items: Array<{ rowKey: string }> }
    usersRemoved: { total: number, items: Array<{ rowKey: string }> }
    licenseChanges: { total: number, items: Array<{ rowKey: string, added: Array<{ skuId: string }>, removed: Array<{ skuId: string }> }> }
    mfaStatusChanges: { total: number, items: Array<{ rowKey: string, from: string | null, to: string | null }> }
  }>(`/v1/report-versions/${v2.id}/diff?against=${v1.id}`)
  const rowKey = (k: string) => `o365:${k}`
  const sorted = <T>(list: T[]) => [...list].sort()
  t.same(sorted(diff.usersAdded.items.map((i) => i.rowKey)), sorted([...expected2.keys()].filter((k) => !expected1.has(k)).map(rowKey)), 'diff: the users added')
  t.same(sorted(diff.usersRemoved.items.map((i) => i.rowKey)), sorted([...expected1.keys()].filter((k) => !expected2.has(k)).map(rowKey)), 'diff: the users removed')
  const licenceChanges = [...expected2].filter(([k]) => expected1.has(k)).flatMap(([k, e]) => {
    const before = new Set(expected1.get(k)!.licences.map((l) => l.skuId))
    const after = new Set(e.licences.map((l) => l.skuId))
    const added = [...after].filter((s) => !before.has(s)).sort()
    const removed = [...before].filter((s) => !after.has(s)).sort()
    return added.length + removed.length > 0 ? [{ rowKey: rowKey(k), added, removed }] : []
  })
  t.same(sorted(diff.licenseChanges.items.map((i) => JSON.stringify({ rowKey: i.rowKey, added: i.added.map((l) => l.skuId).sort(), removed: i.removed.map((l) => l.skuId).sort() }))),
    sorted(licenceChanges.map((c) => JSON.stringify(c))), 'diff: the licence changes, per user')
  const mfaChanges = [...expected2].filter(([k, e]) => expected1.has(k) && expected1.get(k)!.values.mfaStatus !== e.values.mfaStatus)
    .map(([k, e]) => JSON.stringify({ rowKey: rowKey(k), from: expected1.get(k)!.values.mfaStatus, to: e.values.mfaStatus }))
  t.same(sorted(diff.mfaStatusChanges.items.map((i) => JSON.stringify({ rowKey: i.rowKey, from: i.from, to: i.to }))), sorted(mfaChanges), 'diff: the MFA status changes')
  t.ok(rows1.length > 0 && rows2.length > 0, 'both versions read back whole')
})
