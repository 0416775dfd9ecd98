import t, { type Test } from 'tap'
import { createInProcessBus } from '@m365/bus'
import { TokenRequest, type ReplyOf } from '@m365/contracts'
import { TokenCache, TokenUnavailableError } from '../../src/graph/token-cache.js'
import { waitFor } from '../helper.js'

const TENANT = '0f0e0d0c-0b0a-4909-8807-060504030201'

t.test('tokens from tenant-auth are cached per tenant until shortly before they expire', async (t) => {
  const bus = createInProcessBus()
  t.teardown(() => bus.close())
  let now = Date.parse('2026-01-01T00:00:00Z')
  let served = 0
  let reply = (): ReplyOf<typeof TokenRequest> => ({ ok: true, accessToken: `token-${++served}`, expiresOn: new Date(now + 3_600_000).toISOString() })
  await bus.serve(TokenRequest, async () => reply())
  const cache = new TokenCache({ bus, renewBeforeMs: 300_000, timeoutMs: 1_000, now: () => now })

  t.same(await Promise.all([cache.get(TENANT), cache.get(TENANT)]), ['token-1', 'token-1'], 'one request for concurrent callers')
  now += 3_600_000 - 300_001
  t.equal(await cache.get(TENANT), 'token-1', 'cached until the renewal margin')
  now += 2
  t.equal(await cache.get(TENANT), 'token-2', 'renewed within the margin')
  cache.forget(TENANT)
  t.equal(await cache.get(TENANT), 'token-3', 'forgotten tokens are fetched again')
  t.equal(served, 3)

  reply = () => ({ ok: false, code: 'credentials_invalid', message: 'AADSTS7000222: the client secret expired' })
  cache.forget(TENANT)
  const refused = await cache.get(TENANT).catch((err: unknown) => err)
  t.ok(refused instanceof TokenUnavailableError)
  t.match(refused, { code: 'credentials_invalid', retryable: false })
})

t.test('after forget, the next request asks tenant-auth to skip its cache; only that one', async (t) => {
  const bus = createInProcessBus()
  t.teardown(() => bus.close())
  const asked: Array<boolean | undefined> = []
  await bus.serve(TokenRequest, async (request) => {
    asked.push(request.forceRefresh)
    return { ok: true as const, accessToken: `token-${asked.length}`, expiresOn: new Date(Date.now() + 3_600_000).toISOString() }
  })
  const cache = new TokenCache({ bus, renewBeforeMs: 300_000, timeoutMs: 1_000 })
  await cache.get(TENANT)
  cache.forget(TENANT)
  t.equal(await cache.get(TENANT), 'token-2')
  cache.forget(TENANT)
  cache.drop(TENANT)
  t.equal(await cache.get(TENANT), 'token-3', 'a dropped tenant starts over')
  t.same(asked, [undefined, true, undefined])
})

t.test('a forced refresh that got no answer is forced again next time', async (t) => {
  const bus = createInProcessBus()
  t.teardown(() => bus.close())
  const cache = new TokenCache({ bus, renewBeforeMs: 300_000, timeoutMs: 200 })
  cache.forget(TENANT)
  await t.rejects(cache.get(TENANT), { code: 'request_failed' })
  const asked: Array<boolean | undefined> = []
  await bus.serve(TokenRequest, async (request) => {
    asked.push(request.forceRefresh)
    return { ok: true as const, accessToken: 'token', expiresOn: new Date(Date.now() + 3_600_000).toISOString() }
  })
  await cache.get(TENANT)
  t.same(asked, [true])
})

t.test('no tenant-auth answering is worth retrying', async (t) => {
  const bus = createInProcessBus()
  t.teardown(() => bus.close())
  const cache = new TokenCache({ bus, renewBeforeMs: 300_000, timeoutMs: 200 })
  const err = await cache.get(TENANT).catch((e: unknown) => e)
  t.ok(err instanceof TokenUnavailableError)
  t.match(err, { code: 'request_failed', retryable: true })
})

/** tokens.get served by a stand-in for tenant-auth whose answers the test releases one at a time. */
async function heldTokenServer (t: Test) {
  const bus = createInProcessBus()
  t.teardown(() => bus.close())
  const asked: Array<{ forceRefresh: boolean | undefined, answer: (accessToken: string) => void }> = []
  await bus.serve(TokenRequest, async (request) => await new Promise<ReplyOf<typeof TokenRequest>>((resolve) => {
    asked.push({
      forceRefresh: request.forceRefresh,
      answer: (accessToken) => resolve({ ok: true, accessToken, expiresOn: new Date(Date.now() + 3_600_000).toISOString() })
    })
  }))
  const cache = new TokenCache({ bus, renewBeforeMs: 300_000, timeoutMs: 10_000 })
  const request = async (n: number) => {
    await waitFor(() => asked.length >= n, `token request ${n}`, 10_000)
    return asked[n - 1]!
  }
  return { cache, asked, request }
}

t.test('a token dropped while a request for it is in flight does not come back into the cache', async (t) => {
  const { cache, asked, request } = await heldTokenServer(t)
  const before = cache.get(TENANT)
  const inFlight = await request(1)
  // Graph refused the tenant's token meanwhile; tenant-auth's answer to the request already under
  // way comes from its own cache: that very token.
  cache.forget(TENANT)
  const after = cache.get(TENANT)
  inFlight.answer('refused')
  t.equal(await before, 'refused', 'a caller that asked before the drop gets the answer to its request')
  const forced = await request(2)
  t.equal(forced.forceRefresh, true, 'a caller after the drop gets a request of its own, past tenant-auth\'s cache')
  forced.answer('fresh')
  t.equal(await after, 'fresh')
  t.equal(await cache.get(TENANT), 'fresh', 'the cache holds the fresh token, not the refused one')
  t.equal(asked.length, 2)
})

t.test('a tenant dropped while a request is in flight keeps no token', async (t) => {
  const { cache, asked, request } = await heldTokenServer(t)
  const before = cache.get(TENANT)
  const inFlight = await request(1)
  cache.drop(TENANT)
  inFlight.answer('old')
  t.equal(await before, 'old')
  const again = cache.get(TENANT)
  const next = await request(2)
  t.equal(next.forceRefresh, undefined)
  next.answer('new')
  t.equal(await again, 'new', 'asked afresh')
  t.equal(asked.length, 2)
})

t.test('a token Graph refused to several calls is dropped once; a refusal of an older one drops nothing', async (t) => {
  const { cache, asked, request } = await heldTokenServer(t)
  const first = cache.get(TENANT)
  ;(await request(1)).answer('one')
  t.equal(await first, 'one')
  cache.rejected(TENANT, 'one')
  const a = cache.get(TENANT)
  cache.rejected(TENANT, 'one') // a second call that carried it, answered 401 a moment later
  const b = cache.get(TENANT)
  const forced = await request(2)
  t.equal(forced.forceRefresh, true)
  forced.answer('two')
  t.same(await Promise.all([a, b]), ['two', 'two'], 'both retries share one fresh token')
  cache.rejected(TENANT, 'one') // a late 401 to the old token
  t.equal(await cache.get(TENANT), 'two', 'the newer token stays')
  t.equal(asked.length, 2)
})
