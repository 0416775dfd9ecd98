import t from 'tap'
import { O365SkusReplaced, SyncCompleted, type O365User } from '@m365/contracts'
import { skuProductName } from '@m365/graph'
import { findDemoTenant, type DemoScenario } from '@m365/m365-simulator'
import { createTenant, currentSnapshot, setup, waitForRun, type Harness } from '../helper.js'

const NO_PREMIUM = 'Unknown: the tenant has no Entra ID P1/P2 licence, so Microsoft does not provide registration data.'

/** The sentences the admin portal's view (per-user MFA, security defaults, CA) and ours differ by. */
const EXPLANATIONS: Record<string, Partial<Record<DemoScenario, string | null>>> = {
  'Fabrikam Dental': {
    assignedNotRegistered: 'Per-user MFA is enabled, but the user has not registered a method yet.',
    enforcedNotRegistered: 'Per-user MFA is enforced, but no method is registered yet.',
    registeredEnabled: null,
    registeredEnforced: null,
    guestNotRegistered: 'Guest user: MFA is usually done in their home tenant, but no method is registered in this tenant.',
    guestRegistered: 'Registered, but per-user MFA is off and no policy is known to enforce MFA for this user.',
    disabledNoRecord: null,
    unlicensed: 'Covered by security defaults, but no method is registered yet.',
    deletedUser: null,
    orgContact: null
  },
  'Northwind Traders': {
    assignedNotRegistered: 'Per-user MFA is enabled, but the user has not registered a method yet.',
    enforcedNotRegistered: 'Per-user MFA is enforced, but no method is registered yet.',
    registeredEnabled: null,
    unlicensed: 'A conditional access policy requires MFA, but no method is registered yet.',
    orgContact: null
  },
  'Contoso Pharmacy': {
    assignedNotRegistered: NO_PREMIUM,
    registeredEnforced: NO_PREMIUM,
    guestRegistered: NO_PREMIUM,
    deletedUser: null,
    orgContact: null
  }
}

async function syncDemo (h: Harness, name: string) {
  const demo = findDemoTenant(name)!
  const { syncId } = await h.connect(demo.tenantId)
  const run = await waitForRun(h.sql, syncId)
  const snapshot = await currentSnapshot(h.sql, demo.tenantId)
  const byId = new Map(snapshot.rows.map((r) => [r.objectId, r.record]))
  return { demo, syncId, run, snapshot, byId }
}

t.test('demo tenants', async (t) => {
  const h = await setup(t)
  await h.build()

  for (const name of ['Fabrikam Dental', 'Northwind Traders', 'Contoso Pharmacy']) {
    t.test(`${name}: every truth-table row, the portal's per-user column and the explanations`, async (t) => {
      const { demo, syncId, run, snapshot, byId } = await syncDemo(h, name)
      t.equal(run.outcome, 'completed', String(run.error))
      t.equal(snapshot.syncId, syncId, 'the sync became the current snapshot')
      for (const s of Object.values(demo.scenarios)) {
        const record = byId.get(s.id)
        t.ok(record, `${s.scenario} is in the snapshot`)
        if (!record) continue
        t.equal(record.mfa.status, s.expectedMfaStatus, `${s.scenario}: status`)
        t.equal(record.objectType, s.kind, `${s.scenario}: kind`)
        t.equal(record.deleted, s.deleted, `${s.scenario}: deleted`)
        if (s.kind === 'user' && !s.deleted) t.equal(record.mfa.perUserState, s.perUserMfaState, `${s.scenario}: the portal's per-user column`)
        const expected = EXPLANATIONS[name]?.[s.scenario]
        if (expected !== undefined) t.equal(record.mfa.explanation, expected, `${s.scenario}: explanation`)
      }
      const users = snapshot.rows.filter((r) => r.kind === 'user')
      const deleted = snapshot.rows.filter((r) => r.kind === 'deletedUser')
      const contacts = snapshot.rows.filter((r) => r.kind === 'orgContact')
      t.equal(users.length, demo.totals.activeUsers, 'every active user')
      t.equal(deleted.length, demo.totals.deletedUsers, 'every deleted user')
      t.equal(contacts.length, demo.totals.orgContacts, 'every org contact')
      t.ok(contacts.every((c) => c.record.mfa.status === 'N/A'), 'org contacts: N/A')
      t.ok(deleted.every((c) => c.record.mfa.status === 'Disabled'), 'deleted users: Disabled')
      const completed = await h.events.waitFor(SyncCompleted, (e) => e.data.syncId === syncId, 'sync completed')
      t.same(completed.data.counts, run.counts, 'the event carries the run\'s counts')
      t.equal(completed.data.counts.users, demo.totals.activeUsers)
    })
  }

  t.test('Contoso Pharmacy (no P1/P2): Unknown with the reason for every user account, and the sync completes', async (t) => {
    const { run, snapshot } = await syncDemo(h, 'Contoso Pharmacy')
    t.equal(run.outcome, 'completed')
    t.equal(run.mfa_source, 'unavailable')
    const warning = (run.warnings as Array<{ field: string, reason: string }>).find((w) => w.field === 'mfaStatus')
    t.match(warning?.reason, /no Entra ID P1\/P2 licence/)
    const active = snapshot.rows.filter((r) => r.kind === 'user')
    t.ok(active.length > 0)
    for (const { record } of active) {
      t.equal(record.mfa.status, 'Unknown')
      t.match(record.mfa.reason, /no Entra ID P1\/P2 licence/)
      t.equal(record.mfa.registered, null)
    }
  })

  t.test('licences per user match the directory, with product names', async (t) => {
    const { demo, snapshot } = await syncDemo(h, 'Fabrikam Dental')
    for (const { kind, objectId, record } of snapshot.rows) {
      if (kind !== 'user') continue
      const user = h.sim.admin.getUser(demo.tenantId, objectId)!.user
      t.same(record.licenses.map((l) => l.skuId).sort(), user.assignedLicenses.map((l) => l.skuId).sort(), `${record.displayName}: licences`)
      for (const l of record.licenses) t.equal(l.productName, skuProductName(l.skuPartNumber, l.skuId))
    }
    const spb = snapshot.rows.find((r) => r.objectId === demo.scenarios.registeredEnabled.id)!.record
    t.same(spb.licenses.map((l) => [l.skuPartNumber, l.productName]), [['SPB', 'Microsoft 365 Business Premium']])
  })
})

t.test('SKU totals, assigned and available; an unknown SKU keeps its part number', async (t) => {
  const h = await setup(t, { fixture: 'none' })
  await h.build()
  const legacyId = '7f0c7e37-54b8-4d4e-9d6a-2a1b3c4d5e6f'
  const tenantId = createTenant(h.sim, {
    displayName: 'Licence Counting Ltd',
    userCount: 0,
    licenseTier: 'p1',
    skus: [{ skuPartNumber: 'SPB', enabled: 10, warning: 2 }, { skuPartNumber: 'CONTOSO_LEGACY_ADDON', skuId: legacyId, enabled: 3 }]
  })
  const spbId = 'cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46'
  const users = ['ann', 'bob', 'cy', 'dee'].map((name) => h.sim.admin.addUser(tenantId, { displayName: name, userPrincipalName: `${name}@licence.example` }))
  for (const u of users) h.sim.admin.assignLicense(tenantId, u.id, { addLicenses: [spbId] })
  h.sim.admin.assignLicense(tenantId, users[0]!.id, { addLicenses: [legacyId] })
  h.sim.admin.updateUser(tenantId, users[3]!.id, { accountEnabled: false })

  const { syncId } = await h.connect(tenantId)
  const run = await waitForRun(h.sql, syncId)
  t.equal(run.outcome, 'completed', String(run.error))
  const event = await h.events.waitFor(O365SkusReplaced, (e) => e.data.syncId === syncId, 'skus replaced')
  const skus = new Map(event.data.skus.map((s) => [s.skuId, s]))
  t.match(skus.get(spbId), { skuPartNumber: 'SPB', productName: 'Microsoft 365 Business Premium', total: 10, assigned: 4, warning: 2 })
  t.match(skus.get(legacyId), { skuPartNumber: 'CONTOSO_LEGACY_ADDON', productName: 'CONTOSO_LEGACY_ADDON', total: 3, assigned: 1 })
  t.equal(skus.get(spbId)!.total - skus.get(spbId)!.assigned, 6, 'available = total − assigned')

  const { rows } = await currentSnapshot(h.sql, tenantId)
  const ann = rows.find((r) => r.objectId === users[0]!.id)!.record as O365User
  t.same(ann.licenses.map((l) => l.productName).sort(), ['CONTOSO_LEGACY_ADDON', 'Microsoft 365 Business Premium'])
  const holders = rows.filter((r) => r.record.licenses.some((l) => l.skuId === spbId))
  t.equal(holders.length, skus.get(spbId)!.assigned, 'assigned counts the users holding the SKU, disabled ones included')
  t.equal(run.counts && (run.counts as { skus: number }).skus, 2)
})
