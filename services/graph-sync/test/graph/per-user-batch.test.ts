import t, { type Test } from 'tap'
import { createInProcessBus } from '@m365/bus'
import { TokenRequest } from '@m365/contracts'
import { GraphRequestError, type GraphLogger } from '@m365/graph'
import { DEMO_APP, startM365Simulator, type FaultConfig, type M365Simulator } from '@m365/m365-simulator'
import { GraphAccess } from '../../src/graph/graph-access.js'
import { perUserStatesBatch } from '../../src/graph/per-user-batch.js'
import { TokenCache } from '../../src/graph/token-cache.js'
import { createTenant, currentSnapshot, setup, TokenServer, UNPACED_REPORT, waitFor, waitForRun } from '../helper.js'

const PER_USER = ['/beta/users/']
const quiet: GraphLogger = { debug: () => {}, warn: () => {} }

/**
 * A tenant of the simulator and graph-sync's own Graph client for it, built as the sync engine
 * builds it (GraphAccess over a TokenCache), so the batches go over HTTPS through the production path.
 */
async function batchClient (t: Test, users = 20) {
  const sim = await startM365Simulator({ fixture: 'none' })
  t.teardown(() => sim.close())
  sim.admin.registerApp({ ...DEMO_APP })
  const tokens = new TokenServer(sim)
  t.teardown(() => tokens.close())
  const bus = createInProcessBus()
  t.teardown(() => bus.close())
  await bus.serve(TokenRequest, async ({ tenantId }) => await tokens.reply(tenantId))
  const access = new GraphAccess({
    GRAPH_BASE_URL: sim.url,
    GRAPH_CA_PEM: sim.caPem,
    GRAPH_MAX_CONCURRENCY: 4,
    GRAPH_RETRY_MAX_ATTEMPTS: 10,
    GRAPH_RETRY_BASE_MS: 5,
    GRAPH_RETRY_MAX_DELAY_MS: 100,
    GRAPH_TIMEOUT_MS: 30_000,
    GRAPH_REPORT_REQUESTS_PER_10S: 5
  }, new TokenCache({ bus, renewBeforeMs: 60_000, timeoutMs: 10_000 }), quiet)
  t.teardown(() => access.close())
  const tenantId = createTenant(sim, { displayName: 'Batch Ltd', userCount: 0, reportThrottle: null })
  const ids = Array.from({ length: users }, (_, i) => {
    const { id } = sim.admin.addUser(tenantId, { displayName: `User ${i}` })
    sim.admin.setPerUserMfa(tenantId, id, (['disabled', 'enabled', 'enforced'] as const)[i % 3]!)
    return id
  })
  return { sim, tenantId, ids, client: access.clientsFor(tenantId).main }
}

function expected (sim: M365Simulator, tenantId: string, ids: readonly string[]) {
  return ids.map((id) => ({ id, state: sim.admin.getUser(tenantId, id)?.mfa.perUserMfaState })).sort((a, b) => a.id.localeCompare(b.id))
}

const sorted = <T extends { id: string }>(list: T[]) => [...list].sort((a, b) => a.id.localeCompare(b.id))

async function readAll (t: Test, faults: FaultConfig) {
  const { sim, tenantId, ids, client } = await batchClient(t)
  sim.admin.setFaults(tenantId, { ...faults, onlyPaths: PER_USER })
  const result = await perUserStatesBatch(client, ids, AbortSignal.timeout(60_000))
  t.equal(result.denied, false)
  t.same(result.denied ? [] : sorted(result.states), expected(sim, tenantId, ids), "every user's own state")
  return sim.admin.stats(tenantId)
}

t.test('throttled batch items are sent again only once the largest of their Retry-Afters has passed', async (t) => {
  const stats = await readAll(t, { throttle429: { everyNth: 3, retryAfterSeconds: [0.2, 1.2, 0.4] }, holdRetryAfter: true })
  t.ok(stats.throttled >= 3, `${stats.throttled} items were throttled`)
  t.equal(stats.retriedEarly, 0, 'no item was sent again before its Retry-After')
})

t.test('a batch item answered 424 Failed Dependency is sent again, not a failure', async (t) => {
  const stats = await readAll(t, { failedDependency424: { everyNth: 4 } })
  t.ok((stats.requests['POST /beta/$batch'] ?? 0) >= 2, 'the failed items went in a second batch')
})

t.test('a batch envelope answered 424 (throttled items in its body) is read for its items', async (t) => {
  const stats = await readAll(t, { throttle429: { everyNth: 5, retryAfterSeconds: 0.3 }, holdRetryAfter: true, batchEnvelope424: true })
  t.ok((stats.statuses['424 POST /beta/$batch'] ?? 0) >= 1, 'an envelope answered 424')
  t.equal(stats.retriedEarly, 0, 'no item was sent again before its Retry-After')
})

t.test('an item Retry-After beyond the retry policy fails the batch instead of retrying early', async (t) => {
  const { sim, tenantId, ids, client } = await batchClient(t, 5)
  sim.admin.setFaults(tenantId, { throttle429: { everyNth: 2, retryAfterSeconds: 3600 }, holdRetryAfter: true, onlyPaths: PER_USER })
  const err = await perUserStatesBatch(client, ids, AbortSignal.timeout(60_000)).catch((e: unknown) => e)
  t.ok(err instanceof GraphRequestError, String(err))
  t.match(err, { status: 429, code: 'TooManyRequests' })
  t.equal(sim.admin.stats(tenantId).retriedEarly, 0)
  t.equal(sim.admin.stats(tenantId).requests['POST /beta/$batch'], 1)
})

t.test('an abort ends the wait for a Retry-After', async (t) => {
  const { sim, tenantId, ids, client } = await batchClient(t, 5)
  sim.admin.setFaults(tenantId, { throttle429: { everyNth: 2, retryAfterSeconds: 100 }, holdRetryAfter: true, onlyPaths: PER_USER })
  const controller = new AbortController()
  const reading = perUserStatesBatch(client, ids, controller.signal).catch((e: unknown) => e)
  await waitFor(() => sim.admin.stats(tenantId).statuses['200 POST /beta/$batch'], 'a batch with a throttled item answered')
  controller.abort()
  const err = await reading
  // aborted while waiting for the Retry-After (or, on a slow machine, while the answer was still being read)
  t.ok((err as Error).name === 'AbortError' || (err instanceof GraphRequestError && err.code === 'aborted'), String(err))
  t.equal(sim.admin.stats(tenantId).retriedEarly, 0)
})

t.test('a sync whose per-user batches meet item 424s, throttled items and 424 envelopes completes with every state', async (t) => {
  const h = await setup(t, { fixture: 'none' })
  await h.build({ ...UNPACED_REPORT })
  const tenantId = createTenant(h.sim, { displayName: 'Batch Faults Ltd', userCount: 45, mix: { perUserEnabled: 10, perUserEnforced: 10 }, reportThrottle: null })
  h.sim.admin.setFaults(tenantId, {
    failedDependency424: { everyNth: 6 }, throttle429: { everyNth: 7, retryAfterSeconds: 0.2 }, holdRetryAfter: true, batchEnvelope424: true, onlyPaths: PER_USER
  })
  const { syncId } = await h.connect(tenantId)
  const run = await waitForRun(h.sql, syncId)
  t.equal(run.outcome, 'completed', String(run.error))
  const users = (await currentSnapshot(h.sql, tenantId)).rows.filter((r) => r.kind === 'user')
  t.equal(users.length, 45)
  t.same(users.filter((r) => r.record.mfa.perUserState !== h.sim.admin.getUser(tenantId, r.objectId)?.mfa.perUserMfaState).map((r) => r.objectId), [])
  t.equal(h.sim.admin.stats(tenantId).retriedEarly, 0)
})
