import t, { type Test } from 'tap'
import type { DemoTenant } from '@m365/m365-simulator'
import {
  conditionalAccessCoverage, conditionalAccessPolicies, deletedUsersPages, fetchSubscribedSkus, orgContactsPages,
  orgContactToO365User, perUserMfaState, registrationDetailsPages, registrationUnavailableReason, securityDefaults,
  securityDefaultsCoverage, skuPartNumbers, skuProductName, toO365User, userMfa, usersPages,
  type ConditionalAccessPolicy, type GraphClient, type RegistrationDetail, type RegistrationLookup
} from '@m365/graph'
import type { O365User } from '@m365/contracts'
import { simulatorClient, startSimulator } from './helper.js'

const sim = await startSimulator(t)

type ReportState = { available: true, rows: Map<string, RegistrationDetail> } | { available: false, lookup: RegistrationLookup }

async function readReport (client: GraphClient): Promise<ReportState> {
  try {
    const rows = new Map<string, RegistrationDetail>()
    for await (const page of registrationDetailsPages(client)) for (const row of page) rows.set(row.id, row)
    return { available: true, rows }
  } catch (err) {
    const reason = registrationUnavailableReason(err)
    if (!reason) throw err
    return { available: false, lookup: { available: false, reason } }
  }
}

/** What graph-sync does per tenant, reduced to the scenario users: every O365User with its MFA. */
async function tenantUsers (client: GraphClient): Promise<Map<string, O365User>> {
  const report = await readReport(client)
  const { isEnabled } = await securityDefaults(client)
  const policies: ConditionalAccessPolicy[] | null = await conditionalAccessPolicies(client)
  const parts = skuPartNumbers(await fetchSubscribedSkus(client))
  const out = new Map<string, O365User>()
  const lookup = (id: string): RegistrationLookup => report.available ? { available: true, record: report.rows.get(id) ?? null } : report.lookup
  for await (const page of usersPages(client)) {
    for (const user of page) {
      const registration = lookup(user.id)
      const mfa = userMfa({
        kind: 'user',
        deleted: false,
        userType: user.userType,
        registration,
        perUserState: await perUserMfaState(client, user.id),
        securityDefaults: securityDefaultsCoverage(isEnabled, user),
        conditionalAccess: conditionalAccessCoverage(policies, { id: user.id, userType: user.userType, isAdmin: report.available ? report.rows.get(user.id)?.isAdmin ?? null : null })
      })
      out.set(user.id, toO365User(user, { mfa, skuPartNumbers: parts }))
    }
  }
  for await (const page of deletedUsersPages(client)) {
    for (const user of page) {
      const mfa = userMfa({ kind: 'user', deleted: true, userType: user.userType, registration: lookup(user.id) })
      out.set(user.id, toO365User(user, { mfa, skuPartNumbers: parts, deleted: true }))
    }
  }
  for await (const page of orgContactsPages(client)) for (const c of page) out.set(c.id, orgContactToO365User(c))
  return out
}

for (const demo of sim.admin.demoTenants()) {
  t.test(`${demo.displayName} (${demo.licenseTier}): every truth-table row gets the expected status`, async (t) => {
    const client = simulatorClient(t, sim, demo.tenantId)
    const users = await tenantUsers(client)
    t.equal([...users.values()].filter((u) => u.objectType === 'user' && !u.deleted).length, demo.totals.activeUsers)
    t.equal([...users.values()].filter((u) => u.deleted).length, demo.totals.deletedUsers)
    t.equal([...users.values()].filter((u) => u.objectType === 'orgContact').length, demo.totals.orgContacts)
    for (const scenario of Object.values(demo.scenarios)) {
      const user = users.get(scenario.id)
      t.equal(user?.mfa.status, scenario.expectedMfaStatus, `${scenario.scenario}: ${scenario.displayName}`)
    }
    checkExplanations(t, demo, users)
  })
}

function checkExplanations (t: Test, demo: DemoTenant, users: Map<string, O365User>) {
  const say = (s: keyof DemoTenant['scenarios']) => users.get(demo.scenarios[s].id)?.mfa.explanation
  if (demo.registrationReport === 'nonPremium403') {
    t.equal(say('enforcedNotRegistered'), 'Unknown: the tenant has no Entra ID P1/P2 licence, so Microsoft does not provide registration data.')
    return
  }
  t.equal(say('enforcedNotRegistered'), 'Per-user MFA is enforced, but no method is registered yet.')
  t.equal(say('assignedNotRegistered'), 'Per-user MFA is enabled, but the user has not registered a method yet.')
  t.equal(say('registeredEnforced'), null, 'both views agree')
  t.match(say('guestNotRegistered'), /^Guest user/)
  t.equal(say('orgContact'), null)
  const unlicensed = say('unlicensed')
  if (demo.securityDefaults) t.equal(unlicensed, 'Covered by security defaults, but no method is registered yet.')
  if (demo.conditionalAccessRequiresMfa) t.equal(unlicensed, 'A conditional access policy requires MFA, but no method is registered yet.')
  t.match(users.get(demo.scenarios.registeredEnforced.id), { mfa: { registered: true, perUserState: 'enforced', methods: ['microsoftAuthenticatorPush', 'softwareOneTimePasscode'] } })
}

t.test('subscribed SKUs carry product names from the bundled list', async (t) => {
  const [demo] = sim.admin.demoTenants()
  const client = simulatorClient(t, sim, demo!.tenantId)
  const skus = await fetchSubscribedSkus(client)
  const spb = skus.find((s) => s.skuPartNumber === 'SPB')
  t.match(spb, { productName: 'Microsoft 365 Business Premium', total: Number, assigned: Number, capabilityStatus: 'Enabled' })
  for (const sku of skus) t.equal(sku.productName, skuProductName(sku.skuPartNumber, sku.skuId))
})

t.test('a licence unknown to Microsoft\'s list falls back to its part number', async (t) => {
  const northwind = sim.admin.demoTenants().find((d) => d.conditionalAccessRequiresMfa)!
  const client = simulatorClient(t, sim, northwind.tenantId)
  const legacy = (await fetchSubscribedSkus(client)).find((s) => s.skuPartNumber === 'NORTHWIND_LEGACY_ADDON')
  t.match(legacy, { productName: 'NORTHWIND_LEGACY_ADDON' })
})
