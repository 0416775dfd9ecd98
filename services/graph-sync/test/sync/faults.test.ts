import { Writable } from 'node:stream'
import t from 'tap'
import { SyncFailed } from '@m365/contracts'
import { createTenant, currentSnapshot, requestSync, setup, UNPACED_REPORT, waitFor, waitForRun, type Harness } from '../helper.js'

/** A tenant synced once without faults: the baseline every later sync must reproduce. */
async function baseline (h: Harness, name: string, userCount = 9) {
  const tenantId = createTenant(h.sim, { displayName: name, userCount, mix: { deleted: 2, orgContacts: 2, guests: 2 }, reportThrottle: null })
  const { clientId, syncId } = await h.connect(tenantId)
  const run = await waitForRun(h.sql, syncId)
  if (run.outcome !== 'completed') throw new Error(`baseline sync failed: ${String(run.error)}`)
  return { tenantId, clientId, syncId, snapshot: await currentSnapshot(h.sql, tenantId) }
}

// The registration report keeps its own pace (rate-limits.test.ts); storms on the rest keep these tests short.
const NOT_REPORTS = ['/v1.0/users', '/v1.0/directory', '/v1.0/contacts', '/v1.0/subscribedSkus', '/v1.0/policies', '/v1.0/identity', '/beta']

const records = (s: Awaited<ReturnType<typeof currentSnapshot>>) => s.rows.map((r) => r.record)

t.test('faults', async (t) => {
  const h = await setup(t, { fixture: 'none' })
  const app = await h.build({ ...UNPACED_REPORT, GRAPH_PAGE_SIZE: '5' })

  t.test('a 429 storm (Retry-After honoured) ends with the same data', async (t) => {
    const base = await baseline(h, 'Throttled Ltd')
    h.sim.admin.setFaults(base.tenantId, { throttle429: { everyNth: 3, retryAfterSeconds: 1 }, onlyPaths: NOT_REPORTS })
    const syncId = await requestSync(app, base.clientId, base.tenantId, 'full')
    const run = await waitForRun(h.sql, syncId)
    h.sim.admin.setFaults(base.tenantId, null)
    t.equal(run.outcome, 'completed', String(run.error))
    t.equal(run.attempts, 1, 'the client retried each request; the sync did not need another attempt')
    t.ok(h.sim.admin.stats(base.tenantId).throttled > 3, 'requests were throttled')
    t.same(records(await currentSnapshot(h.sql, base.tenantId)), records(base.snapshot))
  })

  t.test('a 503 storm with dropped connections ends with the same data', async (t) => {
    const base = await baseline(h, 'Flaky Ltd')
    h.sim.admin.setFaults(base.tenantId, { unavailable503: { everyNth: 2 }, dropConnection: { everyNth: 7 }, onlyPaths: NOT_REPORTS })
    const syncId = await requestSync(app, base.clientId, base.tenantId, 'full')
    const run = await waitForRun(h.sql, syncId)
    const statuses = h.sim.admin.stats(base.tenantId).statuses
    h.sim.admin.setFaults(base.tenantId, null)
    t.equal(run.outcome, 'completed', String(run.error))
    t.ok(Object.entries(statuses).some(([key, n]) => key.startsWith('503 ') && n > 3), 'requests answered 503')
    t.same(records(await currentSnapshot(h.sql, base.tenantId)), records(base.snapshot))
  })

  t.test('an attempt that fails keeps the previous snapshot current and is retried with backoff', async (t) => {
    const base = await baseline(h, 'Outage Ltd')
    h.sim.admin.setFaults(base.tenantId, { unavailable503: { probability: 1 }, onlyPaths: ['/v1.0/contacts'] })
    const renamed = base.snapshot.rows.find((r) => r.kind === 'user')!
    h.sim.admin.updateUser(base.tenantId, renamed.objectId, { displayName: 'Renamed During Outage' })
    const syncId = await requestSync(app, base.clientId, base.tenantId, 'full')
    const failed = await h.events.waitFor(SyncFailed, (e) => e.data.syncId === syncId, 'the first attempt fails')
    t.equal(failed.data.willRetry, true)
    t.match(failed.data.error, /503/)
    t.equal((await currentSnapshot(h.sql, base.tenantId)).syncId, base.syncId, 'the previous snapshot is still current')
    t.same(records(await currentSnapshot(h.sql, base.tenantId)), records(base.snapshot), 'and readable as it was')
    h.sim.admin.setFaults(base.tenantId, null)
    const run = await waitForRun(h.sql, syncId)
    t.equal(run.outcome, 'completed', String(run.error))
    t.ok((run.attempts as number) >= 2, 'another attempt completed it')
    const after = await currentSnapshot(h.sql, base.tenantId)
    t.equal(after.syncId, syncId)
    t.equal(after.rows.find((r) => r.objectId === renamed.objectId)?.record.displayName, 'Renamed During Outage')
  })

  t.test('a tenant tenant-auth will not serve fails at once, without retrying', async (t) => {
    const tenantId = createTenant(h.sim, { displayName: 'Revoked Ltd', userCount: 3 })
    h.tokens.refuse.set(tenantId, { ok: false, code: 'consent_revoked', message: 'AADSTS700016: application not found in the directory' })
    const { syncId } = await h.connect(tenantId)
    const run = await waitForRun(h.sql, syncId)
    t.equal(run.outcome, 'failed')
    t.equal(run.attempts, 1)
    t.match(run.error, /consent_revoked/)
    const failed = await h.events.waitFor(SyncFailed, (e) => e.data.syncId === syncId, 'failed')
    t.equal(failed.data.willRetry, false)
    t.equal((await currentSnapshot(h.sql, tenantId)).syncId, null, 'no snapshot')
  })
})

t.test('attempts are bounded: then o365.sync.failed with willRetry false, and the snapshot stays', async (t) => {
  const h = await setup(t, { fixture: 'none' })
  const app = await h.build({ ...UNPACED_REPORT, SYNC_MAX_ATTEMPTS: '2' })
  const base = await baseline(h, 'Down For Good Ltd')
  h.sim.admin.setFaults(base.tenantId, { unavailable503: { probability: 1 }, onlyPaths: ['/v1.0/subscribedSkus'] })
  const syncId = await requestSync(app, base.clientId, base.tenantId, 'full')
  const run = await waitForRun(h.sql, syncId)
  h.sim.admin.setFaults(base.tenantId, null)
  t.equal(run.outcome, 'failed')
  t.equal(run.phase, 'failed')
  t.match(run.error, /503/)
  t.equal(run.attempts, 2)
  await waitFor(() => h.events.of(SyncFailed, syncId).length === 2, 'one o365.sync.failed per attempt')
  t.same(h.events.of(SyncFailed, syncId).map((e) => e.data.willRetry).sort(), [false, true])
  t.equal((await currentSnapshot(h.sql, base.tenantId)).syncId, base.syncId)
  const attempts = await h.sql`select outcome from graph_sync.sync_attempts where sync_id = ${syncId} order by attempt`
  t.same(attempts.map((a) => a.outcome), ['failed', 'failed'])
})

t.test('the app closed half way through paging: the previous snapshot stays readable, the next run completes', async (t) => {
  const h = await setup(t, { fixture: 'none' })
  const first = await h.build({ ...UNPACED_REPORT, GRAPH_PAGE_SIZE: '5' })
  const base = await baseline(h, 'Interrupted Ltd', 18)
  h.sim.admin.setFaults(base.tenantId, { slowPageMs: 300, onlyPaths: ['/v1.0/users'] })
  const syncId = await requestSync(first, base.clientId, base.tenantId, 'full')
  await waitForRun(h.sql, syncId, (r) => r.phase === 'fetching' && (r.pages as number) >= 2, 30_000)
  await first.close()
  const [attempt] = await h.sql`select outcome, finished_at from graph_sync.sync_attempts where sync_id = ${syncId}`
  t.equal(attempt?.outcome, 'interrupted')
  const [lease] = await h.sql`select * from graph_sync.tenant_leases where tenant_id = ${base.tenantId}`
  t.notOk(lease, 'the lease was released')
  const during = await currentSnapshot(h.sql, base.tenantId)
  t.equal(during.syncId, base.syncId, 'the previous snapshot is still current')
  t.same(records(during), records(base.snapshot), 'and complete')

  h.sim.admin.setFaults(base.tenantId, null)
  await h.build(UNPACED_REPORT)
  const run = await waitForRun(h.sql, syncId)
  t.equal(run.outcome, 'completed', String(run.error))
  t.equal(run.attempts, 2)
  t.equal((await currentSnapshot(h.sql, base.tenantId)).syncId, syncId)
})

t.test('a throttle whose Retry-After outlasts the client\'s own waits: the job comes back no sooner than Graph asked', async (t) => {
  const h = await setup(t, { fixture: 'none' })
  const lines: Array<{ msg: string, delayMs?: number }> = []
  const logs = new Writable({ write (chunk: Buffer, _encoding, done) { lines.push(JSON.parse(chunk.toString())); done() } })
  const app = await h.build({ ...UNPACED_REPORT }, { logs })
  const tenantId = createTenant(h.sim, { displayName: 'Slow Down Ltd', userCount: 3, reportThrottle: null })
  // 10 minutes: longer than the client waits in a call (120 s), so the attempt fails on it
  h.sim.admin.setFaults(tenantId, { throttle429: { everyNth: 1, retryAfterSeconds: 600 }, onlyPaths: ['/v1.0/users'] })
  const { syncId } = await h.connect(tenantId)
  const failed = await h.events.waitFor(SyncFailed, (e) => e.data.syncId === syncId, 'the attempt fails on the throttle')
  t.equal(failed.data.willRetry, true)
  await waitFor(() => lines.some((l) => l.msg === 'handler failed, retrying'), 'the job is sent back')
  t.match(lines.find((l) => l.msg === 'handler failed, retrying'), { delayMs: 600_000 }, 'after the Retry-After, not the 200 ms backoff')
  await app.close()
})
