import t from 'tap'
import { createTenant, currentSnapshot, requestSync, setup, UNPACED_REPORT, waitForRun, type Harness } from '../helper.js'

async function syncNow (h: Harness, app: Awaited<ReturnType<Harness['build']>>, clientId: string, tenantId: string) {
  const syncId = await requestSync(app, clientId, tenantId)
  return { syncId, run: await waitForRun(h.sql, syncId) }
}

t.test('full first, then delta rounds that add, change and remove users; an expired delta link falls back to full', async (t) => {
  const h = await setup(t, { fixture: 'none' })
  const app = await h.build({ ...UNPACED_REPORT, GRAPH_PAGE_SIZE: '8' })
  const tenantId = createTenant(h.sim, { displayName: 'Delta Dental', userCount: 14, mix: { deleted: 2, orgContacts: 2, guests: 2 }, reportThrottle: null })
  const { clientId, syncId: first } = await h.connect(tenantId)
  const firstRun = await waitForRun(h.sql, first)
  t.equal(firstRun.outcome, 'completed', String(firstRun.error))
  t.equal(firstRun.mode, 'full')
  const before = await currentSnapshot(h.sql, tenantId)
  const active = before.rows.filter((r) => r.kind === 'user').map((r) => r.record)
  t.ok((firstRun.pages as number) > 3, 'several pages')

  const members = active.filter((u) => u.userType === 'Member')
  const [renamed, relicensed, softDeleted, purged] = members
  // The generated tenant differs every run: the registration change is the opposite of what the user has
  // (before, a tenant whose remaining members were all registered had no user to pick: a flaky failure).
  const [registering, untouched] = members.slice(4)
  const registers = registering!.mfa.status !== 'Enabled'
  const added = h.sim.admin.addUser(tenantId, { displayName: 'New Hire', userPrincipalName: 'new.hire@deltadental.example', registration: { isMfaRegistered: true, methodsRegistered: ['fido2'] } })
  h.sim.admin.updateUser(tenantId, renamed!.id, { displayName: 'Renamed Person' })
  const sku = h.sim.admin.listTenants().find((x) => x.tenantId === tenantId) && relicensed!.licenses[0]?.skuId
  if (sku) h.sim.admin.assignLicense(tenantId, relicensed!.id, { removeLicenses: [sku] })
  h.sim.admin.deleteUser(tenantId, softDeleted!.id)
  h.sim.admin.hardDeleteUser(tenantId, purged!.id)
  h.sim.admin.setRegistration(tenantId, registering!.id, registers
    ? { isMfaRegistered: true, methodsRegistered: ['microsoftAuthenticatorPush'] }
    : { isMfaRegistered: false, methodsRegistered: [] })

  const delta = await syncNow(h, app, clientId, tenantId)
  t.equal(delta.run.outcome, 'completed', String(delta.run.error))
  t.equal(delta.run.mode, 'delta')
  const after = await currentSnapshot(h.sql, tenantId)
  const byId = new Map(after.rows.map((r) => [r.objectId, r]))
  t.equal(byId.get(added.id)?.record.displayName, 'New Hire', 'added')
  t.equal(byId.get(added.id)?.record.mfa.status, 'Enabled')
  t.equal(byId.get(renamed!.id)?.record.displayName, 'Renamed Person', 'changed')
  t.equal(byId.get(renamed!.id)?.record.userPrincipalName, renamed!.userPrincipalName, 'a delta entry merges into what we had')
  if (sku) t.same(byId.get(relicensed!.id)?.record.licenses.map((l) => l.skuId).includes(sku), false, 'licence removed')
  t.equal(byId.get(softDeleted!.id)?.kind, 'deletedUser', 'soft-deleted: kept as a deleted user')
  t.equal(byId.get(softDeleted!.id)?.record.mfa.status, 'Disabled')
  t.notOk(byId.has(purged!.id), 'purged: gone')
  t.equal(byId.get(registering!.id)?.record.mfa.status, registers ? 'Enabled' : 'Disabled', 'registration changes count, though delta does not track them')
  t.same(byId.get(untouched!.id)?.record, before.rows.find((r) => r.objectId === untouched!.id)?.record, 'the rest carried over')
  t.equal(after.rows.filter((r) => r.kind === 'user').length, active.length + 1 - 2)

  const events = await h.events.ofSync(delta.syncId)
  const upserted = events.upserted.flatMap((e) => e.data.users.map((u) => u.id)).sort()
  const expected = [added.id, renamed!.id, relicensed!.id, softDeleted!.id, registering!.id].sort()
  t.same(upserted, sku ? expected : expected.filter((id) => id !== relicensed!.id), 'a delta sync publishes the changed records only')
  t.same(events.removed.flatMap((e) => e.data.userIds), [purged!.id])
  t.same(events.completed.data.batches, { upserted: 1, removed: 1 })
  t.equal(events.completed.data.mode, 'delta')

  for (const how of ['syncStateNotFound', 'resyncRequired410'] as const) {
    h.sim.admin.expireDeltaTokens(tenantId, how)
    h.sim.admin.updateUser(tenantId, untouched!.id, { displayName: `After ${how}` })
    const full = await syncNow(h, app, clientId, tenantId)
    t.equal(full.run.outcome, 'completed', `${how}: ${String(full.run.error)}`)
    t.equal(full.run.mode, 'full', `${how}: ran in full`)
    t.match(full.run.warnings, [{ field: 'delta', reason: /can no longer be used/ }])
    const snapshot = await currentSnapshot(h.sql, tenantId)
    t.equal(snapshot.rows.find((r) => r.objectId === untouched!.id)?.record.displayName, `After ${how}`)
    t.equal(snapshot.rows.length, after.rows.length, 'same objects as before')
    const sent = (await h.events.ofSync(full.syncId)).upserted.reduce((n, e) => n + e.data.users.length, 0)
    t.equal(sent, snapshot.rows.length, 'a full sync publishes every record')
  }

  const again = await syncNow(h, app, clientId, tenantId)
  t.equal(again.run.mode, 'delta', 'after the full fallback, delta again')
  t.equal((await h.events.ofSync(again.syncId)).upserted.length, 0, 'nothing changed: no upserted batches')
})
