import t from 'tap'
import {
  assertSettled, connectTenant, createClient, finishedSync, firstSync, listAll, reportObjectCount, startPoller, startStack, syncWorkerPid, waitFor,
  type Page, type SyncRun
} from '../src/index.js'

const USERS = 5_000
// pages of 250: the kill still lands in the middle of 20 users pages
const PAGE_SIZE = '250'
const DELETED = 10
const CONTACTS = 5
const CHANGED = 25
// everything but Policy.Read.All: no per-user MFA call for each user (the sync reads the rest)
const PERMISSIONS = ['User.Read.All', 'Organization.Read.All', 'AuditLog.Read.All', 'OrgContact.Read.All']
// a free tenant: no registration report to read (graph-sync paces that one at 5 requests per 10 s, as Graph demands)

interface O365User { id: string, displayName: string | null, deleted: boolean, objectType: string, syncId: string }

t.test(`graph-sync killed mid-sync (${USERS.toLocaleString('en')} users): another replica finishes it, readers see the old snapshot or the new one, never a mix`, async (t) => {
  const stack = await startStack(t, {
    name: 'sync-kill',
    graphSyncReplicas: 2,
    appPermissions: PERMISSIONS,
    env: {
      // a dead worker's job comes back after 3 s, its tenant lease can be taken over 3 s after its last renewal
      'graph-sync': { GRAPH_PAGE_SIZE: PAGE_SIZE, SYNC_ACK_WAIT_MS: '3000', SYNC_LEASE_TTL_MS: '3000', SYNC_PROGRESS_EVERY_PAGES: '1', SYNC_RETRY_BASE_MS: '300' }
    }
  })
  const { api, sims: { m365 } } = stack
  // 25 people who will leave, with a name the readers can look for
  const leaverInput = Array.from({ length: CHANGED }, (_, i) => ({ displayName: `Xyzzy Leaver ${i + 1}`, userPrincipalName: `xyzzy.leaver${i + 1}@bigtenant.example` }))
  const { tenantId } = m365.admin.createTenant({
    displayName: 'Big Tenant Ltd', userCount: USERS - CHANGED, users: leaverInput, licenseTier: 'free', mix: { deleted: DELETED, orgContacts: CONTACTS }
  })
  const clientId = await createClient(api, 'Big Tenant Ltd')
  await connectTenant(stack, clientId, tenantId)
  const first = await firstSync(api, clientId, tenantId)
  const before = USERS + DELETED + CONTACTS
  await waitFor(`report to hold the first snapshot (${before} objects)`, async () => await reportObjectCount(stack.sql, tenantId) === before, 120_000)
  const users = await listAll<O365User>(api, `/v1/clients/${clientId}/office365/users`)
  t.equal(new Set(users.map((u) => u.id)).size, before, `the first snapshot: ${before} distinct objects`)

  // --- the tenant changes: 25 people join, 25 leave (recycle bin)
  for (let i = 1; i <= CHANGED; i++) {
    m365.admin.addUser(tenantId, { displayName: `Xyzzy Newcomer ${i}`, userPrincipalName: `xyzzy.newcomer${i}@bigtenant.example` })
  }
  const leavers = users.filter((u) => u.displayName?.startsWith('Xyzzy Leaver'))
  t.equal(leavers.length, CHANGED, 'the 25 future leavers are in the first snapshot')
  for (const u of leavers) m365.admin.deleteUser(tenantId, u.id)
  const activeAfter = m365.admin.listTenants().find((x) => x.tenantId === tenantId)!.activeUsers
  t.equal(activeAfter, USERS, 'the simulator: 25 in, 25 out')
  const after = activeAfter + DELETED + CHANGED + CONTACTS

  // --- readers of the current snapshot, all along: the changed people in one page (one query), so
  // a read shows the old snapshot (25 leavers still here), the new one (25 leavers deleted, 25
  // newcomers), or something in between that no snapshot ever held
  const users$ = `/v1/clients/${clientId}/office365/users`
  const reader = startPoller(async () => {
    const { items } = await api.get<Page<O365User>>(`${users$}?q=Xyzzy&limit=500`)
    const newcomers = items.filter((u) => u.displayName?.startsWith('Xyzzy Newcomer') && !u.deleted).length
    const gone = items.filter((u) => u.displayName?.startsWith('Xyzzy Leaver') && u.deleted).length
    const staying = items.filter((u) => u.displayName?.startsWith('Xyzzy Leaver') && !u.deleted).length
    if (items.length === CHANGED && staying === CHANGED) return 'old'
    if (items.length === 2 * CHANGED && newcomers === CHANGED && gone === CHANGED) return 'new'
    return `partial: ${newcomers} newcomers, ${gone} gone, ${staying} staying, ${items.length} in all`
  })

  // --- a full sync, pages slowed down so it takes a while; kill the replica running it half way
  m365.admin.setFaults(tenantId, { slowPageMs: 400, onlyPaths: ['/v1.0/users'] })
  const { syncId } = await api.post<{ syncId: string }>(`/v1/clients/${clientId}/tenants/${tenantId}/sync`, { mode: 'full' })
  const halfway = await waitFor('the sync to be half way through the users', async () => {
    const run = await api.get<SyncRun>(`/v1/syncs/${syncId}`)
    return run.progress.usersProcessed >= USERS / 2 && run.phase === 'fetching' ? run : undefined
  }, 120_000)
  t.notOk(halfway.outcome, `killed at ${halfway.progress.usersProcessed} users, ${halfway.progress.pages} pages`)
  const pid = await syncWorkerPid(stack.sql, syncId)
  const victim = stack.graphSync.find((p) => p.pid === pid)
  if (!victim) throw new Error(`no graph-sync process has pid ${String(pid)}`)
  const survivor = stack.graphSync.find((p) => p !== victim)!
  await victim.kill()
  t.comment(`SIGKILLed ${victim.name} (pid ${String(pid)}); ${survivor.name} is to take over`)
  m365.admin.setFaults(tenantId, null)

  const done = await finishedSync(api, syncId)
  t.equal(done.outcome, 'completed', 'the sync completed after all')
  t.ok(done.attempts >= 2, `on a later attempt (${done.attempts} attempts)`)
  const finisher = await stack.sql<Array<{ worker: string }>>`select worker from graph_sync.sync_attempts where sync_id = ${syncId} and outcome = 'committed'`
  t.equal(finisher.length, 1, 'exactly one attempt committed')
  t.equal(Number(finisher[0]?.worker.split(':')[1]), survivor.pid, `by ${survivor.name}`)

  // --- report applies the new snapshot; the readers stop once they have seen it
  await waitFor('readers to see the new snapshot', () => reader.seen.at(-1) === 'new', 120_000)
  const states = await reader.stop()
  t.same(reader.errors.map((e) => e.message), [], 'every read answered')
  t.same(states.filter((s) => s !== 'old' && s !== 'new'), [], `no read saw a partial snapshot (${states.length} reads)`)
  const switched = states.indexOf('new')
  t.ok(switched > 0, `the old snapshot was read before the switch (${switched} reads) and the new one after`)
  t.notOk(states.slice(switched).includes('old'), 'never back to the old one after the switch')

  // --- the result: exact, no duplicate, none missing
  const final = await listAll<O365User>(api, users$)
  t.equal(final.length, after, `${after} objects, as in the simulator`)
  t.equal(new Set(final.map((u) => u.id)).size, final.length, 'no duplicates')
  t.ok(final.every((u) => u.syncId === syncId), 'every object from the new sync')
  const deletedIds = new Set(final.filter((u) => u.deleted).map((u) => u.id))
  t.ok(leavers.every((u) => deletedIds.has(u.id)), 'the leavers are in the recycle bin')
  t.not(first.syncId, syncId, 'the first snapshot is replaced')

  // --- the killed replica comes back; everything is ready
  await victim.startReady()
  await assertSettled(t, stack) // both graph-sync replicas ready included
})
