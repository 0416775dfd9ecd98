import t from 'tap'
import { graphClient, raw, registerAppAndTenant, startSim } from './helper.js'

t.test('throttle429 everyNth: exactly every Nth matching request answers 429 with Retry-After, per tenant', async (t) => {
  const h = await startSim(t, { fixture: 'none' })
  const one = await registerAppAndTenant(h, { displayName: 'Throttled', userCount: 10 })
  const other = await registerAppAndTenant(h, { displayName: 'Calm', userCount: 10 })
  h.sim.admin.setFaults(one.tenantId, { throttle429: { everyNth: 2, retryAfterSeconds: 3 }, onlyPaths: ['/v1.0/users'] })

  const statuses: number[] = []
  for (let i = 0; i < 4; i++) {
    const res = await raw(h, '/v1.0/users?$top=1', { token: one.token })
    statuses.push(res.status)
    if (res.status === 429) {
      t.equal(res.headers.get('retry-after'), '3')
      t.equal(res.body.error.code, 'TooManyRequests')
      t.equal(res.body.error.innerError.status, '429')
    }
  }
  t.same(statuses, [200, 429, 200, 429])
  t.equal((await raw(h, '/v1.0/organization', { token: one.token })).status, 200, 'onlyPaths limits the fault')
  for (let i = 0; i < 3; i++) t.equal((await raw(h, '/v1.0/users?$top=1', { token: other.token })).status, 200, 'other tenants are unaffected')
  t.equal(h.sim.admin.stats(one.tenantId).throttled, 2)
})

t.test('the Graph SDK RetryHandler honours Retry-After and succeeds on the retry', async (t) => {
  const h = await startSim(t, { fixture: 'none' })
  const { tenantId, token } = await registerAppAndTenant(h, { displayName: 'Retry', userCount: 10 })
  h.sim.admin.setFaults(tenantId, { throttle429: { everyNth: 2, retryAfterSeconds: 1 } })
  const client = graphClient(h, async () => token)
  t.equal((await client.api('/users').top(5).get()).value.length, 5)
  t.equal((await client.api('/users').top(5).get()).value.length, 5, 'second call: 429, retried after 1 s')
  const stats = h.sim.admin.stats(tenantId)
  t.equal(stats.statuses['429 GET /v1.0/users'], 1)
  t.equal(stats.requests['GET /v1.0/users'], 3)
})

t.test('503 and dropped connections; setFaults(null) clears them', async (t) => {
  const h = await startSim(t, { fixture: 'none' })
  const { tenantId, token } = await registerAppAndTenant(h, { displayName: 'Flaky', userCount: 10 })
  h.sim.admin.setFaults(tenantId, { unavailable503: { probability: 1, retryAfterSeconds: 2 } })
  const res = await raw(h, '/v1.0/subscribedSkus', { token })
  t.equal(res.status, 503)
  t.equal(res.body.error.code, 'serviceNotAvailable')
  t.equal(res.headers.get('retry-after'), '2')

  h.sim.admin.setFaults(tenantId, { dropConnection: { everyNth: 1 } })
  await t.rejects(raw(h, '/v1.0/users', { token }), 'the socket is closed without an answer')
  h.sim.admin.setFaults(tenantId, null)
  t.equal((await raw(h, '/v1.0/users', { token })).status, 200)
})

t.test('probability faults are deterministic per tenant seed', async (t) => {
  const h = await startSim(t, { fixture: 'none' })
  const run = async () => {
    const { tenantId, token } = await registerAppAndTenant(h, { displayName: 'Dice', seed: 'dice', userCount: 3 })
    h.sim.admin.setFaults(tenantId, { throttle429: { probability: 0.5, retryAfterSeconds: 1 } })
    const out: number[] = []
    for (let i = 0; i < 12; i++) out.push((await raw(h, '/v1.0/organization', { token })).status)
    h.sim.admin.deleteTenant(tenantId)
    return out
  }
  const first = await run()
  t.same(await run(), first)
  t.ok(first.includes(429) && first.includes(200))
})

t.test('the registration report has its own tight throttle (default 5 requests / 10 s per app per tenant)', async (t) => {
  const h = await startSim(t, { fixture: 'none' })
  const { token } = await registerAppAndTenant(h, { displayName: 'Reports', userCount: 10 })
  const path = '/v1.0/reports/authenticationMethods/userRegistrationDetails'
  for (let i = 0; i < 5; i++) t.equal((await raw(h, path, { token })).status, 200)
  const sixth = await raw(h, path, { token })
  t.equal(sixth.status, 429)
  const wait = Number(sixth.headers.get('retry-after'))
  t.ok(wait >= 1 && wait <= 10, `Retry-After ${wait}`)
  t.equal((await raw(h, '/v1.0/users', { token })).status, 200, 'directory reads are not limited by it')
})

t.test('a client that honours Retry-After walks a throttled report to the end', async (t) => {
  const h = await startSim(t, { fixture: 'none' })
  const { tenantId, token } = await registerAppAndTenant(h, { displayName: 'Walk', userCount: 30, mix: { disabled: 0 }, reportThrottle: { requests: 3, windowSeconds: 1 } })
  const client = graphClient(h, async () => token)
  let rows = 0
  let page = await client.api('/reports/authenticationMethods/userRegistrationDetails').top(5).get()
  for (;;) {
    rows += page.value.length
    if (!page['@odata.nextLink']) break
    page = await client.api(page['@odata.nextLink']).get()
  }
  t.equal(rows, 30)
  t.ok(h.sim.admin.stats(tenantId).throttled >= 1, 'it was throttled on the way')
})

t.test('holdRetryAfter: a request sent again before its Retry-After is throttled again with the time left, and counted', async (t) => {
  const h = await startSim(t, { fixture: 'none' })
  const { tenantId, token } = await registerAppAndTenant(h, { displayName: 'Held', userCount: 3 })
  h.sim.admin.setFaults(tenantId, { throttle429: { everyNth: 1, retryAfterSeconds: [30, 0.05] }, holdRetryAfter: true, onlyPaths: ['/v1.0/users'] })
  const first = await raw(h, '/v1.0/users', { token })
  t.equal(first.status, 429)
  t.equal(first.headers.get('retry-after'), '30', 'the first value of the list')
  const again = await raw(h, '/v1.0/users?$top=1', { token })
  t.equal(again.status, 429, 'the same path again, early')
  const left = Number(again.headers.get('retry-after'))
  t.ok(left > 0 && left <= 30, `with the time left: ${left}`)
  t.equal(h.sim.admin.stats(tenantId).retriedEarly, 1)
  const other = await raw(h, '/v1.0/users/delta', { token })
  t.equal(other.status, 429, 'another path is a request of its own: throttled by the rule, not held')
  t.equal(other.headers.get('retry-after'), '0.05', 'the list in turn')
  t.equal(h.sim.admin.stats(tenantId).retriedEarly, 1)
})

t.test('$batch: failedDependency424 items, and batchEnvelope424 answers 424 with the items when one was throttled', async (t) => {
  const h = await startSim(t, { fixture: 'none' })
  const { tenantId, token } = await registerAppAndTenant(h, { displayName: 'Batch Faults', userCount: 4 })
  const batch = async () => await raw(h, '/v1.0/$batch', {
    method: 'POST', token, body: { requests: ['1', '2', '3', '4'].map((id) => ({ id, method: 'GET', url: '/users?$top=1' })) }
  })
  h.sim.admin.setFaults(tenantId, { failedDependency424: { everyNth: 2 }, onlyPaths: ['/v1.0/users'] })
  const items = await batch()
  t.equal(items.status, 200)
  const byId = new Map((items.body.responses as Array<{ id: string, status: number, body: any }>).map((r) => [r.id, r]))
  t.same(['1', '2', '3', '4'].map((id) => byId.get(id)?.status), [200, 424, 200, 424])
  t.equal(byId.get('2')?.body.error.code, 'FailedDependency')

  h.sim.admin.setFaults(tenantId, { throttle429: { everyNth: 3, retryAfterSeconds: 7 }, batchEnvelope424: true, onlyPaths: ['/v1.0/users'] })
  const envelope = await batch()
  t.equal(envelope.status, 424, 'an item was throttled')
  const throttled = (envelope.body.responses as Array<{ status: number, headers: Record<string, string> }>).filter((r) => r.status === 429)
  t.equal(throttled.length, 1)
  t.equal(throttled[0]?.headers['Retry-After'], '7', 'with its own Retry-After')
  h.sim.admin.setFaults(tenantId, { batchEnvelope424: true })
  t.equal((await batch()).status, 200, 'none throttled: 200')
})
