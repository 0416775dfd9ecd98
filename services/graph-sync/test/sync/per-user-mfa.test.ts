import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { DEFAULT_APP_PERMISSIONS } from '@m365/m365-simulator'
import { chooseMode } from '../../src/index.js'
import { createTenant, currentSnapshot, MSP, requestSync, setup, UNPACED_REPORT, waitForRun } from '../helper.js'

const USERS_PAGE = 'GET /v1.0/users'
const BATCH = 'POST /beta/$batch'
const PAGE_SIZE = 5

t.test('per-user MFA states are read while the users are still being listed, and counted in the progress', async (t) => {
  const h = await setup(t, { fixture: 'none' })
  const app = await h.build({ ...UNPACED_REPORT, GRAPH_PAGE_SIZE: String(PAGE_SIZE) })
  const userCount = 40
  const tenantId = createTenant(h.sim, { displayName: 'Read Ahead Ltd', userCount, mix: { perUserEnabled: 12, perUserEnforced: 9 }, reportThrottle: null })
  h.sim.admin.setFaults(tenantId, { slowPageMs: 150, onlyPaths: ['/v1.0/users'] })
  const { syncId } = await h.connect(tenantId)

  let usersPagesAtFirstBatch: number | undefined
  const perUserProgress = new Set<number>()
  let run: Record<string, unknown> | undefined
  while (!run || run.outcome === null) {
    const { requests } = h.sim.admin.stats(tenantId)
    if (usersPagesAtFirstBatch === undefined && (requests[BATCH] ?? 0) > 0) usersPagesAtFirstBatch = requests[USERS_PAGE] ?? 0
    ;[run] = await h.sql`select outcome, error, per_user_mfa_read from graph_sync.sync_runs where sync_id = ${syncId}`
    if (run) perUserProgress.add(run.per_user_mfa_read as number)
    await sleep(10)
  }
  t.equal(run.outcome, 'completed', String(run.error))
  const pages = h.sim.admin.stats(tenantId).requests[USERS_PAGE] ?? 0
  t.ok(pages >= userCount / PAGE_SIZE, `${pages} users pages`)
  t.ok(usersPagesAtFirstBatch !== undefined && usersPagesAtFirstBatch < pages,
    `the first per-user batch went out after ${usersPagesAtFirstBatch} of ${pages} users pages`)

  const users = (await currentSnapshot(h.sql, tenantId)).rows.filter((r) => r.kind === 'user')
  t.equal(users.length, userCount)
  const mismatched = users.filter((r) => r.record.mfa.perUserState !== h.sim.admin.getUser(tenantId, r.objectId)?.mfa.perUserMfaState)
  t.same(mismatched.map((r) => r.objectId), [], "every user's own per-user state, whether read during the listing or after it")
  t.same(new Set(users.map((r) => r.record.mfa.perUserState)), new Set(['disabled', 'enabled', 'enforced']))

  t.ok([...perUserProgress].some((n) => n > 0 && n < userCount), `the progress counted the reads as they went: ${[...perUserProgress].join(', ')}`)
  const view = await app.inject({ method: 'GET', url: `/v1/syncs/${syncId}`, headers: MSP })
  t.match(view.json(), { progress: { usersProcessed: userCount, perUserMfaRead: userCount } }, 'every user read once, as the API shows')
})

t.test('without Policy.Read.All one refused batch during the listing is the only per-user call', async (t) => {
  const h = await setup(t, { fixture: 'none' })
  await h.build({ ...UNPACED_REPORT, GRAPH_PAGE_SIZE: String(PAGE_SIZE) })
  const tenantId = createTenant(h.sim, {
    displayName: 'No Per User Ltd', userCount: 60, reportThrottle: null, grantedPermissions: DEFAULT_APP_PERMISSIONS.filter((p) => p !== 'Policy.Read.All')
  })
  const { syncId } = await h.connect(tenantId)
  const run = await waitForRun(h.sql, syncId)
  t.equal(run.outcome, 'completed', String(run.error))
  t.match((run.warnings as Array<{ field: string }>).find((w) => w.field === 'perUserMfa'), { reason: /Policy\.Read\.All/ })
  t.equal(h.sim.admin.stats(tenantId).requests[BATCH], 1, 'no batch after the refusal, during the listing or after it')
  const users = (await currentSnapshot(h.sql, tenantId)).rows.filter((r) => r.kind === 'user')
  t.ok(users.length > 0 && users.every((r) => r.record.mfa.perUserState === 'unknown'))
})

t.test("a per-user MFA change alone shows at the first 'auto' sync once the last full sync is SYNC_FULL_EVERY_HOURS old", async (t) => {
  const h = await setup(t, { fixture: 'none' })
  const app = await h.build({ ...UNPACED_REPORT, SYNC_FULL_EVERY_HOURS: '6' })
  const tenantId = createTenant(h.sim, { displayName: 'Per User Drift Ltd', userCount: 6, reportThrottle: null })
  const { clientId, syncId: first } = await h.connect(tenantId)
  t.equal((await waitForRun(h.sql, first)).outcome, 'completed')
  const lastFull = async () => (await h.sql`select last_full_sync_at from graph_sync.tenants where tenant_id = ${tenantId}`)[0]!.last_full_sync_at as Date
  const autoSync = async () => {
    const run = await waitForRun(h.sql, await requestSync(app, clientId, tenantId))
    t.equal(run.outcome, 'completed', String(run.error))
    const user = (await currentSnapshot(h.sql, tenantId)).rows.find((r) => r.objectId === changed.id)
    return { run, state: user?.record.mfa.perUserState }
  }

  const changed = (await currentSnapshot(h.sql, tenantId)).rows.find((r) => r.kind === 'user')!.record
  const before = changed.mfa.perUserState
  const after = before === 'enforced' ? 'enabled' : 'enforced'
  h.sim.admin.setPerUserMfa(tenantId, changed.id, after) // not a directory property: users/delta never lists it

  const early = await autoSync()
  t.equal(early.run.mode, 'delta', 'the last full sync is recent: delta')
  t.equal(early.state, before, 'which cannot see the change')

  await h.sql`update graph_sync.tenants set last_full_sync_at = now() - interval '6 hours 1 minute' where tenant_id = ${tenantId}`
  const due = await autoSync()
  t.equal(due.run.mode, 'full', 'the last full sync is older than the limit: full')
  t.equal(due.state, after, 'the per-user state changed alone is picked up')
  t.same(await lastFull(), due.run.committed_at, 'the full sync is the last one now, as of its commit')

  t.equal((await autoSync()).run.mode, 'delta', 'and the next one is a delta again')
})

t.test('chooseMode: auto is full once the last full sync is SYNC_FULL_EVERY_HOURS old, 0 never; an explicit mode is kept', async (t) => {
  const now = Date.parse('2026-11-20T12:00:00Z')
  const tenant = { currentSyncId: 'sync', snapshotId: 'sync', deltaLink: 'link', lastFullSyncAt: new Date(now - 5 * 3_600_000) }
  t.equal(chooseMode('auto', tenant, 6, now), 'delta')
  t.equal(chooseMode('auto', tenant, 5, now), 'full')
  t.equal(chooseMode('auto', tenant, 0, now), 'delta', '0: never')
  t.equal(chooseMode('auto', { ...tenant, lastFullSyncAt: null }, 6, now), 'full', 'no full sync on record: due')
  t.equal(chooseMode('delta', tenant, 5, now), 'delta', 'an explicit delta')
  t.equal(chooseMode('full', tenant, 0, now), 'full', 'an explicit full')
  t.equal(chooseMode('auto', { ...tenant, deltaLink: null }, 0, now), 'full', 'nothing to continue from')
})
