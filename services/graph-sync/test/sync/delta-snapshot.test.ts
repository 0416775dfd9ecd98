import t from 'tap'
import { SyncFailed } from '@m365/contracts'
import { createTenant, currentSnapshot, requestSync, setup, UNPACED_REPORT, waitFor, waitForRun, type Harness } from '../helper.js'

type App = Awaited<ReturnType<Harness['build']>>

async function syncNow (h: Harness, app: App, clientId: string, tenantId: string, mode: 'full' | 'delta') {
  const syncId = await requestSync(app, clientId, tenantId, mode)
  const run = await waitForRun(h.sql, syncId)
  if (run.outcome !== 'completed') throw new Error(`${mode} sync ${syncId} failed: ${String(run.error)}`)
  return { syncId, run, snapshot: await currentSnapshot(h.sql, tenantId) }
}

async function pointers (h: Harness, tenantId: string) {
  const [row] = await h.sql<Array<{ current: string, snapshot: string }>>`
    select current_sync_id::text as current, snapshot_id::text as snapshot from graph_sync.tenants where tenant_id = ${tenantId}`
  return row!
}

/** A tenant of several pages of every kind, registration report included, synced once in full. */
async function baseline (h: Harness, app: App, name: string) {
  const tenantId = createTenant(h.sim, {
    displayName: name, userCount: 24, mix: { deleted: 3, orgContacts: 3, guests: 3, mfaRegistered: 0.5 }, reportThrottle: null
  })
  const { clientId, syncId } = await h.connect(tenantId)
  const run = await waitForRun(h.sql, syncId)
  if (run.outcome !== 'completed') throw new Error(`baseline sync failed: ${String(run.error)}`)
  const snapshot = await currentSnapshot(h.sql, tenantId)
  const members = snapshot.rows.filter((r) => r.kind === 'user' && r.record.userType === 'Member').map((r) => r.record)
  const deleted = snapshot.rows.filter((r) => r.kind === 'deletedUser').map((r) => r.record)
  return { tenantId, clientId, syncId, snapshot, members, deleted, app }
}

t.test('delta syncs applied to the snapshot in place', async (t) => {
  const h = await setup(t, { fixture: 'none' })
  const app = await h.build({ ...UNPACED_REPORT, GRAPH_PAGE_SIZE: '8', SYNC_MAX_ATTEMPTS: '10' })

  t.test('a delta that changes, adds and removes users gives exactly the snapshot a full sync gives', async (t) => {
    const base = await baseline(h, app, 'Delta Equals Full')
    const { tenantId, clientId, members } = base
    const [renamed, relicensed, softDeleted, purged, perUser] = members
    // The generated tenant differs every run: pick users for whom the change is a change.
    // by the registration itself: a registered user nothing enforces MFA for is 'Disabled' too.
    // An enabled account: the registration report leaves disabled ones out, so registering one changes nothing.
    const registering = members.slice(5).find((u) => u.mfa.registered === false && u.accountEnabled === true)!
    const unregistering = members.slice(5).find((u) => u.mfa.registered === true && u.id !== registering.id)!
    const sim = h.sim.admin
    sim.addUser(tenantId, { displayName: 'New Hire', userPrincipalName: 'new.hire@equals.example', registration: { isMfaRegistered: true, methodsRegistered: ['fido2'] } })
    sim.addUser(tenantId, { displayName: 'New Guest', userPrincipalName: 'guest_x.example#EXT#@equals.example', userType: 'Guest' })
    sim.updateUser(tenantId, renamed!.id, { displayName: 'Renamed Person', accountEnabled: false })
    const sku = relicensed!.licenses[0]?.skuId
    if (sku) sim.assignLicense(tenantId, relicensed!.id, { removeLicenses: [sku] })
    sim.deleteUser(tenantId, softDeleted!.id)
    sim.hardDeleteUser(tenantId, purged!.id)
    // registration changes never show in users/delta: the registration report tells
    sim.setRegistration(tenantId, registering!.id, { isMfaRegistered: true, methodsRegistered: ['microsoftAuthenticatorPush'] })
    sim.setRegistration(tenantId, unregistering!.id, null)
    sim.updateUser(tenantId, perUser!.id, { displayName: 'Per User Changed' })
    sim.setPerUserMfa(tenantId, perUser!.id, 'enforced')
    const restored = base.deleted[0]
    if (restored) sim.restoreUser(tenantId, restored.id)
    sim.hardDeleteUser(tenantId, base.deleted[1]!.id)

    const delta = await syncNow(h, app, clientId, tenantId, 'delta')
    t.equal(delta.run.mode, 'delta')
    t.same(await pointers(h, tenantId), { current: delta.syncId, snapshot: base.syncId }, 'applied to the snapshot rows in place')
    // dropped right after the run is marked completed (sync-jobs: dropAllButSnapshot)
    const staged = async () => (await h.sql`select count(*)::int as n from graph_sync.directory_objects where sync_id = ${delta.syncId}`)[0]!.n as number
    t.ok(await waitFor(async () => await staged() === 0, 'the staged rows of the delta dropped'), 'its staged rows are gone once published')
    const events = await h.events.ofSync(delta.syncId)
    const sent = events.upserted.flatMap((e) => e.data.users.map((u) => u.id))
    t.ok(sent.length < base.snapshot.rows.length / 2, `only changed records are published (${sent.length})`)
    t.ok(sent.includes(registering!.id) && sent.includes(unregistering!.id), 'registration changes count')
    t.same(events.removed.flatMap((e) => e.data.userIds).sort(), [purged!.id, base.deleted[1]!.id].sort())

    const full = await syncNow(h, app, clientId, tenantId, 'full')
    t.same(delta.snapshot.rows, full.snapshot.rows, 'the same rows and records as a full sync')
    t.same(delta.run.counts, full.run.counts, 'the same counts')
    t.same(await pointers(h, tenantId), { current: full.syncId, snapshot: full.syncId })
    const byId = new Map(delta.snapshot.rows.map((r) => [r.objectId, r]))
    t.equal(byId.get(renamed!.id)?.record.displayName, 'Renamed Person')
    t.equal(byId.get(softDeleted!.id)?.kind, 'deletedUser')
    t.notOk(byId.has(purged!.id))
    t.equal(byId.get(registering!.id)?.record.mfa.registered, true)
    t.equal(byId.get(unregistering!.id)?.record.mfa.registered, false)
    if (restored) t.equal(byId.get(restored.id)?.kind, 'user', 'a restored user is a user again')

    const again = await syncNow(h, app, clientId, tenantId, 'delta')
    t.same(again.snapshot.rows, full.snapshot.rows, 'a delta after the full sync changes nothing')
    t.same((await h.events.ofSync(again.syncId)).completed.data.batches, { upserted: 0, removed: 0 })
  })

  t.test('a delta that fails inside its commit or is interrupted leaves the previous snapshot current, as it was', async (t) => {
    const base = await baseline(h, app, 'Delta Interrupted')
    const { tenantId, clientId, members } = base
    for (const [i, m] of members.slice(0, 12).entries()) h.sim.admin.updateUser(tenantId, m.id, { displayName: `Changed ${i}` })
    h.sim.admin.hardDeleteUser(tenantId, members[12]!.id)

    // The pointer moves last in the commit's transaction, after the snapshot rows took the changes.
    await h.sql.unsafe(`
      create function graph_sync.test_refuse_commit() returns trigger language plpgsql as $$
      begin raise exception 'commit refused by the test'; end $$;
      create trigger test_refuse_commit before update of current_sync_id on graph_sync.tenants
      for each row when (new.tenant_id = '${tenantId}' and new.current_sync_id is distinct from old.current_sync_id)
      execute function graph_sync.test_refuse_commit()`)
    const syncId = await requestSync(app, clientId, tenantId, 'delta')
    await waitFor(() => h.events.of(SyncFailed, syncId).length > 0, 'the commit failed')
    await h.sql.unsafe('drop trigger test_refuse_commit on graph_sync.tenants; drop function graph_sync.test_refuse_commit()')
    t.match(h.events.of(SyncFailed, syncId)[0]?.data, { willRetry: true, error: /update graph_sync\.tenants/ })
    const during = await currentSnapshot(h.sql, tenantId)
    t.equal(during.syncId, base.syncId, 'the previous sync is still current')
    t.same(during.rows, base.snapshot.rows, 'and its rows are as they were: nothing half-applied')

    const run = await waitForRun(h.sql, syncId)
    t.equal(run.outcome, 'completed', String(run.error))
    const after = await currentSnapshot(h.sql, tenantId)
    t.equal(after.rows.filter((r) => r.record.displayName?.startsWith('Changed ')).length, 12)
    t.notOk(after.rows.some((r) => r.objectId === members[12]!.id))

    // Closed while paging the delta: same again, then another worker finishes it.
    h.sim.admin.setFaults(tenantId, { slowPageMs: 300, onlyPaths: ['/v1.0/users/delta'] })
    const again = members.slice(13)
    for (const m of again) h.sim.admin.updateUser(tenantId, m.id, { displayName: 'Changed again' })
    const second = await h.build({ ...UNPACED_REPORT, GRAPH_PAGE_SIZE: '2' })
    await app.close()
    const interrupted = await requestSync(second, clientId, tenantId, 'delta')
    await waitForRun(h.sql, interrupted, (r) => r.phase === 'fetching' && (r.pages as number) >= 2, 30_000)
    await second.close()
    const [attempt] = await h.sql`select outcome from graph_sync.sync_attempts where sync_id = ${interrupted}`
    t.equal(attempt?.outcome, 'interrupted')
    const still = await currentSnapshot(h.sql, tenantId)
    t.equal(still.syncId, syncId)
    t.same(still.rows, after.rows, 'the snapshot is as the last committed sync left it')
    h.sim.admin.setFaults(tenantId, null)
    const third = await h.build({ ...UNPACED_REPORT, GRAPH_PAGE_SIZE: '8' })
    const finished = await waitForRun(h.sql, interrupted)
    t.equal(finished.outcome, 'completed', String(finished.error))
    const final = await currentSnapshot(h.sql, tenantId)
    t.equal(final.rows.filter((r) => r.record.displayName === 'Changed again').length, again.length)
    const full = await syncNow(h, third, clientId, tenantId, 'full')
    t.same(final.rows, full.snapshot.rows, 'and equals a full sync')
  })
})

t.test('a SKU rename or a policy change recomputes every record', async (t) => {
  const h = await setup(t, { fixture: 'none' })
  const app = await h.build({ ...UNPACED_REPORT, GRAPH_PAGE_SIZE: '8' })
  const base = await baseline(h, app, 'Delta Sku Rename')
  const { tenantId, clientId } = base
  const licensed = base.snapshot.rows.filter((r) => r.record.licenses.length > 0)
  const skuId = licensed[0]!.record.licenses[0]!.skuId
  const holders = base.snapshot.rows.filter((r) => r.record.licenses.some((l) => l.skuId === skuId)).map((r) => r.objectId).sort()
  const skus = (await h.sql<Array<{ data: { skuId: string, skuPartNumber: string } }>>`
    select data from graph_sync.skus where sync_id = ${base.syncId}`).map((r) => r.data)
  h.sim.admin.setSkus(tenantId, skus.map((s) => ({ skuId: s.skuId, skuPartNumber: s.skuId === skuId ? 'RENAMED_PLAN' : s.skuPartNumber })))

  const delta = await syncNow(h, app, clientId, tenantId, 'delta')
  t.equal(delta.run.mode, 'delta')
  t.same(await pointers(h, tenantId), { current: delta.syncId, snapshot: delta.syncId }, 'rebuilt: the sync is the new snapshot')
  const renamed = delta.snapshot.rows.filter((r) => r.record.licenses.some((l) => l.skuId === skuId))
  t.same(renamed.map((r) => r.objectId).sort(), holders)
  t.ok(renamed.every((r) => r.record.licenses.find((l) => l.skuId === skuId)?.skuPartNumber === 'RENAMED_PLAN'), 'every holder shows the new name')
  const sent = (await h.events.ofSync(delta.syncId)).upserted.flatMap((e) => e.data.users.map((u) => u.id)).sort()
  t.same(sent, holders, 'exactly the records that changed are published')
  t.equal(delta.snapshot.rows.length, base.snapshot.rows.length)

  h.sim.admin.setSecurityDefaults(tenantId, false)
  const policy = await syncNow(h, app, clientId, tenantId, 'delta')
  t.same(await pointers(h, tenantId), { current: policy.syncId, snapshot: policy.syncId }, 'a policy change rebuilds too')
  const full = await syncNow(h, app, clientId, tenantId, 'full')
  t.same(policy.snapshot.rows, full.snapshot.rows, 'the same records as a full sync')
  t.same(policy.run.counts, full.run.counts)

  const quiet = await syncNow(h, app, clientId, tenantId, 'delta')
  t.same(await pointers(h, tenantId), { current: quiet.syncId, snapshot: full.syncId }, 'nothing changed: in place again')
})
