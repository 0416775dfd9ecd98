import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { DEFAULT_APP_PERMISSIONS } from '@m365/m365-simulator'
import { createTenant, currentSnapshot, MSP, setup, UNPACED_REPORT, waitForRun } from '../helper.js'

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
