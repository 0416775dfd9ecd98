import t from 'tap'
import { createTenant, currentSnapshot, requestSync, setup, UNPACED_REPORT, waitFor, waitForRun } from '../helper.js'

const usersListed = (stats: { requests: Record<string, number> }) =>
  Object.entries(stats.requests).filter(([endpoint]) => /^GET \/v1\.0\/users(\/delta)?$/.test(endpoint)).reduce((n, [, c]) => n + c, 0)

t.test('a token Graph stops taking half way through the listing is renewed for that request; the attempt goes on', async (t) => {
  const h = await setup(t, { fixture: 'none' })
  const app = await h.build({ ...UNPACED_REPORT, GRAPH_PAGE_SIZE: '5' })
  const tenantId = createTenant(h.sim, { displayName: 'Expiring Token Ltd', userCount: 40, reportThrottle: null })
  const { clientId, syncId: first } = await h.connect(tenantId)
  const baseline = await waitForRun(h.sql, first)
  t.equal(baseline.outcome, 'completed', String(baseline.error))
  const listedOnce = usersListed(h.sim.admin.stats(tenantId))
  t.ok(listedOnce >= 8, `the listing has ${listedOnce} pages`)

  // Slow pages, so the listing is still under way when the token expires.
  h.sim.admin.setFaults(tenantId, { slowPageMs: 150, onlyPaths: ['/v1.0/users'] })
  const syncId = await requestSync(app, clientId, tenantId, 'full')
  await waitFor(() => usersListed(h.sim.admin.stats(tenantId)) >= listedOnce + 2, 'the second page of the listing')
  t.same(h.tokens.forced, [tenantId], 'a sync asked for by hand starts with a fresh token')
  // graph-sync holds its token for an hour by this machine's clock; by Graph's clock it has expired now.
  h.sim.admin.advanceClock(3600)
  const run = await waitForRun(h.sql, syncId)
  h.sim.admin.setFaults(tenantId, null)
  t.equal(run.outcome, 'completed', String(run.error))
  t.equal(run.attempts, 1, 'the refused requests were sent again with a fresh token; the attempt did not start over')
  t.same(h.tokens.forced, [tenantId, tenantId], 'one more fresh token for every request the old one was refused to')
  t.equal(usersListed(h.sim.admin.stats(tenantId)) - listedOnce, listedOnce, 'each page of the listing was read once')
  t.equal((await currentSnapshot(h.sql, tenantId)).syncId, syncId)
})
