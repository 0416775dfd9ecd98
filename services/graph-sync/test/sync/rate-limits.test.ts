import t from 'tap'
import { createTenant, currentSnapshot, setup, waitForRun } from '../helper.js'

t.test("the registration report's own limit (5 requests per 10 s) is kept, and the sync completes", async (t) => {
  const h = await setup(t, { fixture: 'none' })
  await h.build({ GRAPH_PAGE_SIZE: '8' })
  // First use of a process loads and compiles modules, which can hold the event loop between a
  // grant and its request for longer than the limiter's margin: measure a warm process.
  const warmUp = await h.connect(createTenant(h.sim, { displayName: 'Warm Up Ltd', userCount: 3 }))
  await waitForRun(h.sql, warmUp.syncId)
  const tenantId = createTenant(h.sim, { displayName: 'Report Heavy Ltd', userCount: 56 })
  const { syncId } = await h.connect(tenantId)
  const run = await waitForRun(h.sql, syncId, undefined, 120_000)
  t.equal(run.outcome, 'completed', String(run.error))
  const stats = h.sim.admin.stats(tenantId)
  const report = 'GET /v1.0/reports/authenticationMethods/userRegistrationDetails'
  t.ok((stats.requests[report] ?? 0) > 5, 'more report pages than one window allows')
  t.equal(stats.statuses[`429 ${report}`] ?? 0, 0, 'never throttled by the report limit')
  t.equal(stats.throttled, 0)
  const users = (await currentSnapshot(h.sql, tenantId)).rows.filter((r) => r.kind === 'user')
  const registered = users.filter((r) => h.sim.admin.getUser(tenantId, r.objectId)?.mfa.registration?.isMfaRegistered)
  t.ok(registered.length > 20)
  t.same(users.filter((r) => r.record.mfa.status === 'Enabled').map((r) => r.objectId), registered.map((r) => r.objectId), 'every page of the report was read')
})
