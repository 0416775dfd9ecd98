import t from 'tap'
import { DEMO_APP, DEMO_TENANTS, type DemoScenario, type MfaStatus } from '../src/index.js'
import { raw, startSim, tokenFor, type Harness } from './helper.js'

const TRUTH_TABLE: DemoScenario[] = [
  'assignedNotRegistered', 'enforcedNotRegistered', 'registeredEnabled', 'registeredEnforced', 'orgContact',
  'deletedUser', 'guestNotRegistered', 'guestRegistered', 'disabledNoRecord', 'unlicensed'
]

async function all (h: Harness, token: string, path: string) {
  const out: any[] = []
  let next: string | undefined = path
  while (next) {
    const res = await raw(h, next, { token })
    if (res.status !== 200) return { status: res.status, error: res.body.error, items: out }
    out.push(...res.body.value)
    next = res.body['@odata.nextLink']
  }
  return { status: 200, error: undefined, items: out }
}

t.test('the demo fixture: fixed tenants, the demo app, every MFA truth-table row with its expected status', async (t) => {
  const h = await startSim(t)
  t.same(h.sim.admin.demoTenants().map((d) => d.tenantId), DEMO_TENANTS.map((d) => d.tenantId))
  t.ok(DEMO_TENANTS.some((d) => d.licenseTier === 'free'), 'one tenant without P1/P2')
  t.ok(DEMO_TENANTS.filter((d) => d.licenseTier !== 'free').length >= 2)

  for (const demo of DEMO_TENANTS) {
    await t.test(demo.displayName, async (t) => {
      h.sim.admin.setReportThrottle(demo.tenantId, null)
      const token = await tokenFor(h, demo.tenantId, DEMO_APP.clientId, DEMO_APP.clientSecret)
      const users = await all(h, token, '/v1.0/users?$top=999&$select=id,userPrincipalName,userType,accountEnabled,assignedLicenses')
      const deleted = await all(h, token, '/v1.0/directory/deletedItems/microsoft.graph.user?$select=id')
      const contacts = await all(h, token, '/v1.0/contacts')
      const report = await all(h, token, '/v1.0/reports/authenticationMethods/userRegistrationDetails')
      t.equal(users.items.length, demo.totals.activeUsers)
      t.equal(deleted.items.length, demo.totals.deletedUsers)
      t.equal(contacts.items.length, demo.totals.orgContacts)
      if (demo.registrationReport === 'nonPremium403') {
        t.equal(report.status, 403)
        t.equal(report.error.code, 'Authentication_RequestFromNonPremiumTenantOrB2CTenant')
      } else t.equal(report.status, 200)

      const userById = new Map(users.items.map((u) => [u.id, u]))
      const deletedIds = new Set(deleted.items.map((u) => u.id))
      const contactIds = new Set(contacts.items.map((c) => c.id))
      const records = new Map(report.items.map((r) => [r.id, r]))
      for (const key of TRUTH_TABLE) {
        const s = demo.scenarios[key]
        t.equal(s.scenario, key)
        // the spec's rule (§10) plus DESIGN's "Unknown" when the report is unavailable
        let status: MfaStatus
        if (contactIds.has(s.id)) status = 'N/A'
        else if (deletedIds.has(s.id)) status = 'Disabled'
        else if (report.status !== 200) status = 'Unknown'
        else status = records.get(s.id)?.isMfaRegistered === true ? 'Enabled' : 'Disabled'
        t.equal(status, s.expectedMfaStatus, `${key}: ${s.expectedMfaStatus}`)

        if (s.kind === 'user' && !s.deleted) {
          const u = userById.get(s.id)
          t.equal(u.userType, s.userType, `${key} userType`)
          t.equal(u.accountEnabled, s.accountEnabled, `${key} accountEnabled`)
          t.equal(u.assignedLicenses.length > 0, s.licensed, `${key} licensed`)
          const state = await raw(h, `/beta/users/${s.id}/authentication/requirements`, { token })
          t.equal(state.body.perUserMfaState, s.perUserMfaState, `${key} per-user state`)
          if (report.status === 200) t.equal(records.get(s.id)?.isMfaRegistered ?? null, s.isMfaRegistered, `${key} registration record`)
        }
      }
      const sd = await raw(h, '/v1.0/policies/identitySecurityDefaultsEnforcementPolicy', { token })
      t.equal(sd.body.isEnabled, demo.securityDefaults)
      const ca = await raw(h, '/v1.0/identity/conditionalAccess/policies', { token })
      t.equal(ca.body.value.length > 0, demo.conditionalAccessRequiresMfa)
    })
  }
})

t.test('the demo fixture is deterministic across starts and comes back after reset()', async (t) => {
  const [a, b] = [await startSim(t), await startSim(t)]
  const demo = DEMO_TENANTS[2]!
  const list = async (h: Harness) => {
    const token = await tokenFor(h, demo.tenantId, DEMO_APP.clientId, DEMO_APP.clientSecret)
    return (await raw(h, '/v1.0/users?$top=999&$select=id,displayName,assignedLicenses', { token })).body.value
  }
  const first = await list(a)
  t.same(await list(b), first)
  a.sim.admin.deleteUser(demo.tenantId, first[0].id)
  a.sim.admin.reset()
  t.same(await list(a), first)
})
