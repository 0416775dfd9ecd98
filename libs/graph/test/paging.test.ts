import t from 'tap'
import { pages, usersPages, type GraphUser } from '@m365/graph'
import { collect, createTenant, recordingLogger, simulatorClient, startSimulator } from './helper.js'

const sim = await startSimulator(t, 'none')
const USERS = 3000
const tenantId = createTenant(sim, {
  displayName: 'Paging Dental',
  seed: 'paging',
  userCount: USERS,
  mix: { guests: 0.05, disabled: 0.05 },
  skus: [{ skuPartNumber: 'SPB' }]
})
const activeUsers = sim.admin.listTenants().find((x) => x.tenantId === tenantId)?.activeUsers ?? 0

/** The full, fault-free listing every fault test must reproduce exactly. */
const baseline = await (async () => {
  const client = simulatorClient(t, sim, tenantId)
  return collect(usersPages(client))
})()

t.test('a few thousand users arrive page by page, each exactly once, with the selected fields', async (t) => {
  t.equal(baseline.items.length, activeUsers)
  t.ok(activeUsers >= USERS)
  t.equal(new Set(baseline.items.map((u) => u.id)).size, baseline.items.length, 'no duplicates')
  t.ok(baseline.pages >= Math.ceil(activeUsers / 999), `${baseline.pages} pages`)
  const sample = baseline.items[0] as GraphUser
  t.match(sample, { id: String, userPrincipalName: String, userType: /^(Member|Guest)$/, accountEnabled: Boolean })
  t.ok(baseline.items.some((u) => u.userType === 'Guest'), 'userType is selected')
  t.ok(baseline.items.some((u) => u.assignedLicenses.length > 0), 'assignedLicenses is selected')
})

t.test('small pages: nextLinks are followed verbatim until there is none', async (t) => {
  const client = simulatorClient(t, sim, tenantId)
  let largest = 0
  let count = 0
  for await (const page of pages<{ id: string }>(client, '/users', { select: ['id'], top: 250, headers: { ConsistencyLevel: 'eventual' } })) {
    largest = Math.max(largest, page.length)
    count += page.length
  }
  t.equal(count, activeUsers)
  t.ok(largest <= 250)
  t.equal(sim.admin.stats(tenantId).requests['GET /v1.0/users'], Math.ceil(activeUsers / 250) + baseline.pages,
    'one request per page, for this walk and the baseline')
})

const ids = (users: GraphUser[]) => users.map((u) => u.id).sort()

t.test('429 with Retry-After: the retry waits what Graph asks and the set is complete', async (t) => {
  const { log, lines } = recordingLogger()
  const client = simulatorClient(t, sim, tenantId, { log })
  sim.admin.setFaults(tenantId, { throttle429: { everyNth: 2, retryAfterSeconds: 1 }, onlyPaths: ['/v1.0/users'] })
  t.teardown(() => sim.admin.setFaults(tenantId, null))
  const before = sim.admin.stats(tenantId).throttled
  const { items } = await collect(usersPages(client))
  t.same(ids(items), ids(baseline.items))
  t.ok(sim.admin.stats(tenantId).throttled > before, 'the simulator did throttle')
  const retries = lines.filter((l) => l.msg === 'graph request retry')
  t.ok(retries.length > 0)
  for (const r of retries) t.match(r, { status: 429, retryAfter: '1', delayMs: 1000, attempt: Number }, 'Retry-After decides the wait')
})

t.test('a Retry-After longer than the policy waits fails the call at once, carrying the wait Graph asked for', async (t) => {
  const client = simulatorClient(t, sim, tenantId, { retry: { maxRetryAfterMs: 5_000 } })
  sim.admin.setFaults(tenantId, { throttle429: { everyNth: 1, retryAfterSeconds: 300 }, onlyPaths: ['/v1.0/users'] })
  t.teardown(() => sim.admin.setFaults(tenantId, null))
  const err = await client.get('/users', { top: 1 }).catch((e: unknown) => e)
  t.match(err, { name: 'GraphRequestError', status: 429, retryAfterMs: 300_000 })
})

t.test('a 503 storm with connection resets still yields the complete, correct set', async (t) => {
  const { log, lines } = recordingLogger()
  const client = simulatorClient(t, sim, tenantId, { log })
  sim.admin.setFaults(tenantId, {
    unavailable503: { probability: 0.4 },
    dropConnection: { everyNth: 5 },
    onlyPaths: ['/v1.0/users']
  })
  t.teardown(() => sim.admin.setFaults(tenantId, null))
  const { items } = await collect(usersPages(client, { top: 500 }))
  t.same(ids(items), ids(baseline.items))
  const retries = lines.filter((l) => l.msg === 'graph request retry')
  t.ok(retries.some((r) => r.status === 503), 'retried 503s')
  t.ok(retries.some((r) => r.status === undefined && typeof r.code === 'string'), 'retried dropped connections')
  t.ok(retries.every((r) => typeof r.attempt === 'number' && (r.attempt as number) >= 1), 'each retry names its attempt')
})

t.test('a fault that outlasts the attempts fails with a typed error', async (t) => {
  const client = simulatorClient(t, sim, tenantId, { retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 } })
  sim.admin.setFaults(tenantId, { unavailable503: { everyNth: 1 }, onlyPaths: ['/v1.0/users'] })
  t.teardown(() => sim.admin.setFaults(tenantId, null))
  const err = await collect(usersPages(client)).catch((e: unknown) => e)
  t.match(err, { name: 'GraphRequestError', status: 503, code: 'serviceNotAvailable', requestId: String })
})

t.test('a request slower than the per-request timeout is retried, then fails with code timeout', async (t) => {
  const { log, lines } = recordingLogger()
  const client = simulatorClient(t, sim, tenantId, { log, retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 300 } })
  sim.admin.setFaults(tenantId, { slowPageMs: 3000, onlyPaths: ['/v1.0/users'] })
  t.teardown(() => sim.admin.setFaults(tenantId, null))
  const err = await client.get('/users', { top: 1 }).catch((e: unknown) => e)
  t.match(err, { name: 'GraphRequestError', status: 0, code: 'timeout' })
  t.match(lines.filter((l) => l.msg === 'graph request retry'), [{ error: 'TimeoutError', attempt: 1 }])
})
