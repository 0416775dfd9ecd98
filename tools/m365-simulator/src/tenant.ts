import { randomUUID } from 'node:crypto'
import { Generator, type GenConfig } from './generator.js'
import { FaultInjector, SlidingWindow } from './faults.js'
import { slug } from './names.js'
import { completeContact, completeUser } from './defaults.js'
import { SimulatorError } from './errors.js'
import { UserStore } from './overlay.js'
import { guidFrom, seedOf } from './random.js'
import { defaultSkus, knownSkuId } from './skus.js'
import { StatsRecorder } from './stats.js'
import type {
  ConditionalAccessPolicy, CreateTenantInput, DeltaExpiry, LicenseTier, OrgContactRecord, SkuInput, TenantMix
} from './types.js'

export interface SkuState {
  skuId: string
  skuPartNumber: string
  enabled: number
  warning: number
  suspended: number
  lockedOut: number
  capabilityStatus: string
  appliesTo: 'User' | 'Company'
  subscriptionId: string
}

const DEFAULT_MIX: Required<TenantMix> = {
  guests: 0.05,
  disabled: 0.03,
  deleted: 0.01,
  orgContacts: 0.02,
  unlicensed: 0.05,
  mfaRegistered: 0.7,
  perUserEnabled: 0.1,
  perUserEnforced: 0.1,
  admins: 0.01
}

/** Fractions (0 ≤ v < 1) of n, or counts (v ≥ 1). */
const resolve = (v: number, n: number, cap = n) => Math.max(0, Math.min(cap, v < 1 ? Math.round(v * n) : Math.floor(v)))
const GUID = /^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$/i

export const REQUIRE_MFA_FOR_ALL = (tenantId: string): ConditionalAccessPolicy => ({
  id: guidFrom(tenantId, 'ca-require-mfa'),
  displayName: 'Require MFA for all users',
  state: 'enabled',
  createdDateTime: '2024-03-01T10:00:00Z',
  modifiedDateTime: null,
  conditions: {
    clientAppTypes: ['all'],
    applications: { includeApplications: ['All'], excludeApplications: [] },
    users: { includeUsers: ['All'], excludeUsers: [], includeGroups: [], excludeGroups: [], includeRoles: [], excludeRoles: [] }
  },
  grantControls: { operator: 'OR', builtInControls: ['mfa'], customAuthenticationFactors: [], termsOfUse: [] },
  sessionControls: null
})

export class Tenant {
  readonly id: string
  readonly displayName: string
  readonly defaultDomain: string
  readonly initialDomain: string
  readonly createdDateTime: string
  readonly seed: number
  readonly users: UserStore
  readonly contacts: OrgContactRecord[]
  readonly consents = new Map<string, Set<string>>()
  readonly faults: FaultInjector
  readonly stats = new StatsRecorder()
  readonly reportWindows = new Map<string, SlidingWindow>()
  reportThrottle: { requests: number, windowSeconds: number } | null
  licenseTier: LicenseTier
  securityDefaults: boolean
  conditionalAccess: ConditionalAccessPolicy[]
  skus: SkuState[] = []
  /** delta tokens carry the generation they were issued in; older generations are expired */
  deltaGeneration = 1
  readonly expiredGenerations = new Map<number, DeltaExpiry>()

  constructor (input: CreateTenantInput, now: () => number) {
    this.id = (input.tenantId ?? randomUUID()).toLowerCase()
    if (!GUID.test(this.id)) throw new SimulatorError(400, `tenantId must be a GUID: ${input.tenantId}`)
    this.displayName = input.displayName
    this.initialDomain = `${slug(input.displayName)}.onmicrosoft.com`
    this.defaultDomain = input.defaultDomain ?? this.initialDomain
    this.createdDateTime = input.createdDateTime ?? new Date(now()).toISOString()
    this.seed = seedOf(input.seed ?? this.id)
    this.licenseTier = input.licenseTier ?? 'p1'
    this.securityDefaults = input.securityDefaults ?? (input.conditionalAccess === undefined)
    this.conditionalAccess = input.conditionalAccess === 'requireMfaForAll' ? [REQUIRE_MFA_FOR_ALL(this.id)] : (input.conditionalAccess ?? [])
    this.reportThrottle = input.reportThrottle === undefined ? { requests: 5, windowSeconds: 10 } : input.reportThrottle
    this.faults = new FaultInjector(this.seed)

    const skuInputs = input.skus ?? defaultSkus(this.licenseTier)
    const skuIds = skuInputs.map((s) => this.skuIdOf(s))
    const count = Math.max(0, Math.floor(input.userCount ?? 25))
    const mix = { ...DEFAULT_MIX, ...input.mix }
    const config: GenConfig = {
      seed: this.seed,
      count,
      deletedCount: resolve(mix.deleted, count, Number.MAX_SAFE_INTEGER),
      contactCount: resolve(mix.orgContacts, count, Number.MAX_SAFE_INTEGER),
      domain: this.defaultDomain,
      initialDomain: this.initialDomain,
      createdAt: Date.parse(this.createdDateTime),
      guests: resolve(mix.guests, count),
      disabled: resolve(mix.disabled, count),
      unlicensed: resolve(mix.unlicensed, count),
      mfaRegistered: resolve(mix.mfaRegistered, count),
      perUserEnabled: resolve(mix.perUserEnabled, count),
      perUserEnforced: resolve(mix.perUserEnforced, count),
      admins: count > 0 ? Math.max(1, resolve(mix.admins, count)) : 0,
      skus: skuInputs.filter((s) => (s.appliesTo ?? 'User') === 'User')
        .map((s) => ({ skuId: this.skuIdOf(s), ...(s.addOnShare === undefined ? { weight: s.weight ?? 1 } : { addOnShare: s.addOnShare }) }))
    }
    const explicit = (input.users ?? []).map((u) => ({ entry: completeUser(u, this, now), deletedDateTime: u.deletedDateTime }))
    this.users = new UserStore(
      new Generator(config),
      explicit.filter((u) => !u.deletedDateTime).map((u) => u.entry),
      explicit.filter((u) => u.deletedDateTime).map((u) => ({ ...u.entry, deletedDateTime: u.deletedDateTime! })),
      now
    )
    this.contacts = (input.contacts ?? []).map((c) => completeContact(c, this.id))
    this.setSkus(skuInputs)
    if (skuIds.length !== new Set(skuIds).size) throw new SimulatorError(400, 'duplicate skuId in skus')
  }

  get contactCount () { return this.contacts.length + this.users.gen.config.contactCount }

  contactAt (i: number): OrgContactRecord {
    return i < this.contacts.length ? this.contacts[i]! : this.users.gen.contactAt(i - this.contacts.length)
  }

  get isPremium () { return this.licenseTier !== 'free' }

  skuIdOf (s: SkuInput) { return (s.skuId ?? knownSkuId(s.skuPartNumber) ?? guidFrom('sku', s.skuPartNumber)).toLowerCase() }

  /** Replaces the tenant's subscriptions; prepaid units default to what users hold plus headroom. */
  setSkus (skus: SkuInput[]) {
    const consumed = this.users.consumedUnits()
    this.skus = skus.map((s) => {
      const skuId = this.skuIdOf(s)
      const used = consumed.get(skuId) ?? 0
      return {
        skuId,
        skuPartNumber: s.skuPartNumber,
        enabled: s.enabled ?? (s.appliesTo === 'Company' ? 1 : Math.ceil(used * 1.1) + 2),
        warning: s.warning ?? 0,
        suspended: s.suspended ?? 0,
        lockedOut: s.lockedOut ?? 0,
        capabilityStatus: s.capabilityStatus ?? 'Enabled',
        appliesTo: s.appliesTo ?? 'User',
        subscriptionId: guidFrom(this.id, 'subscription', skuId)
      }
    })
  }

  reportWindow (clientId: string) {
    let w = this.reportWindows.get(clientId)
    if (!w) this.reportWindows.set(clientId, (w = new SlidingWindow()))
    return w
  }
}
