import { randomUUID } from 'node:crypto'
import Fastify from 'fastify'
import fp from 'fastify-plugin'
import t from 'tap'
import { fetch } from 'undici'
import { MAX_PAGE_SIZE } from '@m365/api'
import { ConfigError, loadConfig } from '@m365/service-kit'
import gatewayApp, { GatewayConfig, trustProxy } from '../src/index.js'
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
  // the same sub at two clients (each client's identity setup names its own users) is two principals
  const [a, b] = [randomUUID(), randomUUID()]
  const annAtA = stack.api(await stack.token({ role: 'client', sub: 'ann', clientId: a }))
  const annAtB = stack.api(await stack.token({ role: 'client', sub: 'ann', clientId: b }))
  for (let i = 0; i < 3; i++) t.not((await annAtA.GET('/v1/clients/{clientId}', { params: { path: { clientId: a } } })).response.status, 429)
  t.equal((await annAtA.GET('/v1/clients/{clientId}', { params: { path: { clientId: a } } })).response.status, 429, 'ann at A used her budget')
  t.not((await annAtB.GET('/v1/clients/{clientId}', { params: { path: { clientId: b } } })).response.status, 429, 'ann at B has her own')
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

// the anonymous budget is keyed by request.ip: behind the ingress that must be the caller's, not nginx's
t.test('anonymous rate limit: TRUST_PROXY keys it by X-Forwarded-For; unset, the header is ignored', async (t) => {
  const nowhere = 'http://127.0.0.1:9'
  const base = {
    REPORT_URL: nowhere,
    TENANT_AUTH_URL: nowhere,
    GRAPH_SYNC_URL: nowhere,
    CONTACTS_INGEST_URL: nowhere,
    JWT_LOCAL_KEY_FILE: t.testdir() + '/jwt-key.json',
    RATE_LIMIT_MAX: '2',
    RATE_LIMIT_WINDOW_MS: '600000',
    LOG_LEVEL: 'silent'
  }
  async function gateway (env: Record<string, string>) {
    const config = loadConfig(GatewayConfig, { ...base, ...env })
    // the options server.ts hands runService
    const app = Fastify({ logger: false, trustProxy: trustProxy(config) })
    await app.register(fp(gatewayApp), { config })
    t.teardown(() => app.close())
    // one ingress pod in front: every request comes from its address
    return async (clientAddress: string) => (await app.inject({
      url: '/v1/connect/callback?error=access_denied',
      remoteAddress: '10.0.0.7',
      headers: { 'x-forwarded-for': clientAddress }
    })).statusCode
  }

  const behindIngress = await gateway({ TRUST_PROXY: '10.0.0.0/8' })
  for (let i = 0; i < 2; i++) t.not(await behindIngress('203.0.113.1'), 429, 'within the first caller\'s budget')
  t.equal(await behindIngress('203.0.113.1'), 429, 'the first caller is limited')
  t.not(await behindIngress('198.51.100.2'), 429, 'another caller behind the same ingress has its own budget')

  const direct = await gateway({})
  for (let i = 0; i < 2; i++) t.not(await direct(`203.0.113.${i + 1}`), 429)
  t.equal(await direct('198.51.100.3'), 429, 'a made-up X-Forwarded-For does not dodge the limit')

  for (const value of ['true', '1']) t.throws(() => loadConfig(GatewayConfig, { ...base, TRUST_PROXY: value }), ConfigError, `TRUST_PROXY=${value} is refused`)
  t.equal(trustProxy(loadConfig(GatewayConfig, { ...base, TRUST_PROXY: 'uniquelocal' })), 'uniquelocal', 'as k8s/base sets it')
})
