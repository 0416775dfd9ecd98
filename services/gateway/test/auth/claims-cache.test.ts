import t, { type Test } from 'tap'
import { randomUUID } from 'node:crypto'
import { createServer } from 'node:http'
import { mkdtemp, rm } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose'
import { ClaimsCache } from '../../src/auth/claims-cache.js'
import { createTokenVerifier, ensureLocalSigningKey, mintToken, TokenRejected } from '../../src/index.js'

const ISSUER = 'https://login.example.test/tenant/v2.0'
const AUDIENCE = 'api://m365-insight'
const msp = { role: 'msp' as const, sub: 'staff' }

t.test('claims cache: hit until expiry, least recently used dropped beyond its bound, 0 keeps nothing', async (t) => {
  const cache = new ClaimsCache(2)
  const entry = (sub: string, expiresAt = 10_000) => ({ principal: { ...msp, sub }, expiresAt, key: {}, header: { alg: 'ES256' } })
  t.equal(cache.get('a', 0), undefined, 'miss')
  cache.set('a', entry('a'))
  cache.set('b', entry('b'))
  t.equal(cache.get('a', 0)?.principal.sub, 'a', 'hit (and now the most recently used)')
  cache.set('c', entry('c'))
  t.equal(cache.size, 2, 'bounded')
  t.equal(cache.get('b', 0), undefined, 'the least recently used went')
  t.ok(cache.get('a', 0) && cache.get('c', 0))
  t.equal(cache.get('a', 10_000), undefined, 'at its expiry it is gone')
  t.equal(cache.size, 1)
  const none = new ClaimsCache(0)
  none.set('a', entry('a'))
  t.equal(none.get('a', 0), undefined)
})

t.test('local key: a verified token is kept until it expires; rejected tokens are never kept', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'claims-cache-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const file = join(dir, 'jwt-key.json')
  const key = await ensureLocalSigningKey(file)
  const verify = await createTokenVerifier({ kind: 'local', file }, { clockToleranceSeconds: 0, claimsCacheEntries: 2 })
  const token = await mintToken(key, { role: 'msp' })
  t.same(await verify(token), { role: 'msp', sub: 'local-msp' })
  t.equal(verify.cachedTokens, 1)
  t.same(await verify(token), { role: 'msp', sub: 'local-msp' }, 'answered from the cache')
  t.equal(verify.cachedTokens, 1)
  await t.rejects(verify(`${token}x`), TokenRejected, 'a tampered copy of a cached token is verified, and fails')
  await t.rejects(verify(await mintToken(key, { role: 'msp', ttl: -60 })), /expired/)
  t.equal(verify.cachedTokens, 1, 'failures are not kept')
  for (let i = 0; i < 3; i++) await verify(await mintToken(key, { role: 'msp', sub: `staff-${i}` }))
  t.equal(verify.cachedTokens, 2, 'bounded')

  // exp is whole seconds from now, rounded down: ttl 1 may leave a millisecond; 2 leaves at least a second to verify it in
  const short = await mintToken(key, { role: 'msp', ttl: 2 })
  await verify(short)
  const exp = JSON.parse(Buffer.from(short.split('.')[1]!, 'base64url').toString()).exp as number
  await waitUntil(() => Date.now() >= exp * 1000, 'the short token to expire')
  await t.rejects(verify(short), /expired/, 'a cached token is not believed past its exp')
})

interface SigningKey { kid: string, privateKey: CryptoKey, jwk: JWK }

async function signingKey (): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256')
  const kid = randomUUID()
  return { kid, privateKey, jwk: { ...await exportJWK(publicKey), kid, alg: 'ES256', use: 'sig' } }
}

const sign = (key: SigningKey) => new SignJWT({ role: 'msp' }).setProtectedHeader({ alg: 'ES256', kid: key.kid }).setSubject('staff')
  .setIssuer(ISSUER).setAudience(AUDIENCE).setIssuedAt().setExpirationTime('1h').sign(key.privateKey)

async function startJwksServer (t: Test) {
  const state = { keys: [] as JWK[], fetches: 0 }
  const server = createServer((_req, res) => {
    state.fetches++
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: state.keys }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise((resolve) => server.close(resolve)))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`, state }
}

t.test('JWKS: a key withdrawn by the identity provider rejects its cached tokens once the keys are refetched', async (t) => {
  const jwks = await startJwksServer(t)
  const [revoked, kept, added] = await Promise.all([signingKey(), signingKey(), signingKey()])
  jwks.state.keys = [revoked.jwk, kept.jwk]
  const verify = await createTokenVerifier({ kind: 'jwks', url: jwks.url, issuer: ISSUER, audience: AUDIENCE }, {
    clockToleranceSeconds: 0, jwksCooldownMs: 0, jwksCacheMs: 3_600_000
  })
  const [revokedToken, keptToken] = await Promise.all([sign(revoked), sign(kept)])
  await verify(revokedToken)
  await verify(keptToken)
  t.equal(verify.cachedTokens, 2)
  const fetches = jwks.state.fetches
  t.same(await verify(revokedToken), { role: 'msp', sub: 'staff' }, 'a cache hit')
  t.equal(jwks.state.fetches, fetches, 'while the keys are fresh, a hit fetches nothing')

  // rotation: the provider withdraws a key and publishes another; a token of the new key makes the gateway refetch
  jwks.state.keys = [kept.jwk, added.jwk]
  await verify(await sign(added))
  t.ok(jwks.state.fetches > fetches, 'the unknown kid refetched the keys')
  await t.rejects(verify(revokedToken), /not signed by a trusted key/, 'the withdrawn key\'s cached token is refused')
  t.same(await verify(keptToken), { role: 'msp', sub: 'staff' }, 'a token of a key still published passes (verified again)')
})

async function waitUntil (condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}
