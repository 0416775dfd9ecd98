import { thumbprints } from './certs.js'
import { DEMO_APP, DEMO_TENANTS, type DemoTenant } from './fixtures/demo.js'
import { SimulatorError } from './errors.js'
import { DEFAULT_APP_PERMISSIONS } from './permissions.js'
import type { AppRegistration, SimulatorState } from './state.js'
import { completeUser } from './defaults.js'
import { REQUIRE_MFA_FOR_ALL, Tenant } from './tenant.js'
import type {
  AppRegistrationInput, AssignedLicense, ConditionalAccessPolicy, CreateTenantInput, DeltaExpiry, FaultConfig, LicenseTier,
  MfaProfile, PerUserMfaState, RegistrationInput, SkuInput, TenantStats, UserInput, UserRecord
} from './types.js'

export interface TenantSummary {
  tenantId: string
  displayName: string
  defaultDomain: string
  licenseTier: LicenseTier
  activeUsers: number
  consentedClientIds: string[]
}

export interface UserView { user: UserRecord, mfa: MfaProfile, state: 'active' | 'softDeleted', deletedDateTime: string | null }

/** In-process control of the simulator; the same operations are served as JSON under /_admin. */
export interface SimulatorAdmin {
  registerApp (app: AppRegistrationInput): { clientId: string }
  createTenant (input: CreateTenantInput): { tenantId: string }
  listTenants (): TenantSummary[]
  deleteTenant (tenantId: string): void
  grantConsent (tenantId: string, clientId: string, permissions?: string[]): void
  revokeConsent (tenantId: string, clientId: string): void
  setPermissions (tenantId: string, clientId: string, permissions: string[]): void
  addUser (tenantId: string, user: UserInput): UserRecord
  getUser (tenantId: string, id: string): UserView | undefined
  updateUser (tenantId: string, id: string, patch: Partial<UserRecord>): UserRecord
  deleteUser (tenantId: string, id: string): void
  restoreUser (tenantId: string, id: string): UserRecord
  hardDeleteUser (tenantId: string, id: string): void
  /** merges into the user's registration record; null = the report has no record for the user */
  setRegistration (tenantId: string, userId: string, registration: Partial<RegistrationInput> | null): void
  setPerUserMfa (tenantId: string, userId: string, state: PerUserMfaState): void
  setLicenseTier (tenantId: string, tier: LicenseTier): void
  setSkus (tenantId: string, skus: SkuInput[]): void
  /** like Graph's assignLicense: add (skuId or { skuId, disabledPlans }) and remove (skuIds) */
  assignLicense (tenantId: string, userId: string, change: { addLicenses?: Array<string | AssignedLicense>, removeLicenses?: string[] }): UserRecord
  setSecurityDefaults (tenantId: string, enabled: boolean): void
  setConditionalAccess (tenantId: string, policies: ConditionalAccessPolicy[] | 'requireMfaForAll'): void
  setReportThrottle (tenantId: string, limit: { requests: number, windowSeconds: number } | null): void
  expireDeltaTokens (tenantId: string, how: DeltaExpiry): void
  setFaults (tenantId: string, faults: FaultConfig | null): void
  stats (tenantId: string): TenantStats
  /** moves the simulator's clock (token expiry, delta token age); never backwards */
  advanceClock (seconds: number): void
  /** forgets every app and tenant, then re-applies the fixture */
  reset (): void
  /** the demo fixture's tenants and expected values ([] unless started with fixture 'demo') */
  demoTenants (): readonly DemoTenant[]
}

export function createAdmin (state: SimulatorState, fixture: 'demo' | 'none'): SimulatorAdmin {
  const tenant = (id: string) => {
    const t = state.resolveTenant(id)
    if (!t) throw new SimulatorError(404, `tenant ${id} not found`)
    return t
  }
  const userOf = (tenantId: string, id: string) => {
    const found = tenant(tenantId).users.findByKey(id)
    if (!found) throw new SimulatorError(404, `user ${id} not found in tenant ${tenantId}`)
    return found
  }
  const app = (clientId: string) => {
    const a = state.apps.get(clientId.toLowerCase())
    if (!a) throw new SimulatorError(404, `app ${clientId} is not registered`)
    return a
  }

  const admin: SimulatorAdmin = {
    registerApp (input) {
      if (!input.clientId) throw new SimulatorError(400, 'clientId is required')
      const tps = new Set<string>()
      if (input.certificateThumbprint) tps.add(input.certificateThumbprint.toLowerCase().replace(/[^0-9a-f]/g, ''))
      if (input.certificatePem) Object.values(thumbprints(input.certificatePem)).forEach((t) => tps.add(t))
      const reg: AppRegistration = {
        clientId: input.clientId.toLowerCase(),
        thumbprints: tps,
        displayName: input.displayName ?? 'Simulated app',
        permissions: input.permissions ?? [...DEFAULT_APP_PERMISSIONS],
        ...(input.clientSecret === undefined ? {} : { clientSecret: input.clientSecret }),
        ...(input.certificatePem === undefined ? {} : { certificatePem: input.certificatePem }),
        ...(input.redirectUris === undefined ? {} : { redirectUris: input.redirectUris }),
        ...(input.secretExpiresAt === undefined ? {} : { secretExpiresAt: Date.parse(input.secretExpiresAt) })
      }
      state.apps.set(reg.clientId, reg)
      return { clientId: reg.clientId }
    },
    createTenant (input) {
      if (!input?.displayName) throw new SimulatorError(400, 'displayName is required')
      const t = new Tenant(input, state.now)
      if (state.tenants.has(t.id)) throw new SimulatorError(409, `tenant ${t.id} already exists`)
      if (input.grantedPermissions || input.consentedClientIds) {
        for (const clientId of input.consentedClientIds ?? [...state.apps.keys()]) {
          t.consents.set(clientId.toLowerCase(), new Set(input.grantedPermissions ?? app(clientId).permissions))
        }
      }
      state.tenants.set(t.id, t)
      return { tenantId: t.id }
    },
    listTenants: () => [...state.tenants.values()].map((t) => ({
      tenantId: t.id,
      displayName: t.displayName,
      defaultDomain: t.defaultDomain,
      licenseTier: t.licenseTier,
      activeUsers: t.users.activeCount(),
      consentedClientIds: [...t.consents.keys()]
    })),
    deleteTenant (tenantId) { state.tenants.delete(tenant(tenantId).id) },
    grantConsent (tenantId, clientId, permissions) {
      tenant(tenantId).consents.set(clientId.toLowerCase(), new Set(permissions ?? app(clientId).permissions))
    },
    revokeConsent (tenantId, clientId) { tenant(tenantId).consents.delete(clientId.toLowerCase()) },
    setPermissions (tenantId, clientId, permissions) {
      const t = tenant(tenantId)
      if (!t.consents.has(clientId.toLowerCase())) throw new SimulatorError(409, `app ${clientId} has no consent in tenant ${tenantId}`)
      t.consents.set(clientId.toLowerCase(), new Set(permissions))
    },
    addUser (tenantId, user) {
      const t = tenant(tenantId)
      return t.users.add(completeUser(user, t, state.now)).user
    },
    getUser (tenantId, id) {
      const found = tenant(tenantId).users.findByKey(id)
      if (!found || found.state === 'hardDeleted') return undefined
      return { user: found.entry.user, mfa: found.entry.mfa, state: found.state, deletedDateTime: found.deletedDateTime }
    },
    updateUser: (tenantId, id, patch) => tenant(tenantId).users.update(userOf(tenantId, id).entry.user.id, patch).user,
    deleteUser (tenantId, id) { tenant(tenantId).users.softDelete(userOf(tenantId, id).entry.user.id) },
    restoreUser: (tenantId, id) => tenant(tenantId).users.restore(userOf(tenantId, id).entry.user.id).user,
    hardDeleteUser (tenantId, id) { tenant(tenantId).users.hardDelete(userOf(tenantId, id).entry.user.id) },
    setRegistration (tenantId, userId, registration) {
      const found = userOf(tenantId, userId)
      const merged = registration === null ? null : { isMfaRegistered: false, ...found.entry.mfa.registration, ...registration }
      tenant(tenantId).users.updateMfa(found.entry.user.id, { registration: merged })
    },
    setPerUserMfa (tenantId, userId, perUserMfaState) {
      if (!['disabled', 'enabled', 'enforced'].includes(perUserMfaState)) throw new SimulatorError(400, `bad per-user MFA state ${perUserMfaState}`)
      tenant(tenantId).users.updateMfa(userOf(tenantId, userId).entry.user.id, { perUserMfaState })
    },
    setLicenseTier (tenantId, tier) {
      if (!['free', 'p1', 'p2'].includes(tier)) throw new SimulatorError(400, `bad licence tier ${tier}`)
      tenant(tenantId).licenseTier = tier
    },
    setSkus (tenantId, skus) { tenant(tenantId).setSkus(skus) },
    assignLicense (tenantId, userId, change) {
      const t = tenant(tenantId)
      const found = userOf(tenantId, userId)
      const add = (change.addLicenses ?? []).map((l) => (typeof l === 'string' ? { skuId: l, disabledPlans: [] } : l))
      for (const l of add) if (!t.skus.some((s) => s.skuId === l.skuId.toLowerCase())) throw new SimulatorError(400, `License ${l.skuId} does not correspond to a valid company License.`)
      const remove = new Set([...(change.removeLicenses ?? []), ...add.map((l) => l.skuId)].map((s) => s.toLowerCase()))
      const assignedLicenses = [...found.entry.user.assignedLicenses.filter((l) => !remove.has(l.skuId)), ...add.map((l) => ({ ...l, skuId: l.skuId.toLowerCase() }))]
      return t.users.update(found.entry.user.id, { assignedLicenses, licenseAssignmentStates: undefined }).user
    },
    setSecurityDefaults (tenantId, enabled) { tenant(tenantId).securityDefaults = enabled },
    setConditionalAccess (tenantId, policies) {
      const t = tenant(tenantId)
      t.conditionalAccess = policies === 'requireMfaForAll' ? [REQUIRE_MFA_FOR_ALL(t.id)] : policies
    },
    setReportThrottle (tenantId, limit) {
      const t = tenant(tenantId)
      t.reportThrottle = limit
      t.reportWindows.clear()
    },
    expireDeltaTokens (tenantId, how) {
      if (how !== 'syncStateNotFound' && how !== 'resyncRequired410') throw new SimulatorError(400, `bad expiry ${how}`)
      const t = tenant(tenantId)
      for (let g = 1; g <= t.deltaGeneration; g++) if (!t.expiredGenerations.has(g)) t.expiredGenerations.set(g, how)
      t.deltaGeneration++
    },
    setFaults (tenantId, faults) { tenant(tenantId).faults.set(faults) },
    stats: (tenantId) => tenant(tenantId).stats.snapshot(),
    advanceClock (seconds) {
      if (!(seconds >= 0)) throw new SimulatorError(400, 'the clock only moves forward')
      state.clockOffsetMs += seconds * 1000
    },
    reset () {
      state.apps.clear()
      state.tenants.clear()
      state.clockOffsetMs = 0
      applyFixture()
    },
    demoTenants: () => (fixture === 'demo' ? DEMO_TENANTS : [])
  }

  function applyFixture () {
    if (fixture !== 'demo') return
    admin.registerApp({ ...DEMO_APP })
    for (const t of DEMO_TENANTS) admin.createTenant(t.input)
  }
  applyFixture()
  return admin
}
