import t from 'tap'
import { fetch } from 'undici'
import { MAX_PAGE_SIZE } from '@m365/api'
import { ok, startStack } from './helper.js'
import { unlessServices } from './services.js'

t.test('bodies over BODY_LIMIT_BYTES: 413 problem+json, nothing forwarded', { skip: unlessServices('report') }, async (t) => {
  const stack = await startStack(t, { services: ['report'], env: { BODY_LIMIT_BYTES: '2048' } })
  const res = await fetch(`${stack.url}/v1/clients`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.mspToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'x'.repeat(4096) })
  })
  t.equal(res.status, 413)
  t.match(res.headers.get('content-type'), /^application\/problem\+json/)
  t.match(await res.json(), { status: 413 })
  t.same(ok(await stack.api().GET('/v1/clients', {}), 'list').items, [])
  const wrongType = await fetch(`${stack.url}/v1/clients`, {
    method: 'POST', headers: { authorization: `Bearer ${stack.mspToken}`, 'content-type': 'text/plain' }, body: 'name=x'
  })
  t.equal(wrongType.status, 415)
})

t.test(`page size: limit is 1…${MAX_PAGE_SIZE} (libs/api PageQuery), checked before forwarding`, { skip: unlessServices('report') }, async (t) => {
  const stack = await startStack(t, { services: ['report'] })
  const api = stack.api()
  for (const limit of [MAX_PAGE_SIZE + 1, 0, -1]) {
    const res = await api.GET('/v1/clients', { params: { query: { limit } } })
    t.equal(res.response.status, 400, `limit=${limit}`)
    t.match(res.error, { code: 'VALIDATION_FAILED', detail: /querystring\/limit/ })
  }
  t.equal((await api.GET('/v1/clients', { params: { query: { limit: MAX_PAGE_SIZE } } })).response.status, 200)
  const { clientId } = { clientId: ok(await api.POST('/v1/clients', { body: { name: 'A' } }), 'create').id }
  const users = await api.GET('/v1/clients/{clientId}/office365/users', { params: { path: { clientId }, query: { limit: 1000 } } })
  t.equal(users.response.status, 400, 'every paged list has the bound')
})

t.test('rate limit per principal: 429 problem+json with Retry-After; other principals unaffected', { skip: unlessServices('report') }, async (t) => {
  const stack = await startStack(t, { services: ['report'], env: { RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW_MS: '600000' } })
  const alice = stack.api(await stack.token({ role: 'msp', sub: 'alice' }))
  const bob = stack.api(await stack.token({ role: 'msp', sub: 'bob' }))
  for (let i = 0; i < 3; i++) t.equal((await alice.GET('/v1/clients', {})).response.status, 200)
  const limited = await alice.GET('/v1/clients', {})
  t.equal(limited.response.status, 429)
  t.match(limited.response.headers.get('content-type'), /^application\/problem\+json/)
  t.ok(Number(limited.response.headers.get('retry-after')) > 0, 'Retry-After')
  t.match(limited.error, { status: 429, code: 'RATE_LIMITED', detail: /more than 3 requests/ })
  t.equal((await bob.GET('/v1/clients', {})).response.status, 200, 'bob has his own budget')
  const anonymous = await fetch(`${stack.url}/v1/clients`)
  t.equal(anonymous.status, 401, 'no token: 401 before any budget is counted')
  await anonymous.body?.cancel()
})

t.test('a service that is down: 503 problem+json, its name but no internals', async (t) => {
  const stack = await startStack(t)
  const res = await stack.api().GET('/v1/clients', {})
  t.equal(res.response.status, 503)
  t.match(res.response.headers.get('content-type'), /^application\/problem\+json/)
  t.match(res.error, { status: 503, detail: /see logs/ })
})
