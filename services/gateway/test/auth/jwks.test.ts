import t, { type Test } from 'tap'
import { randomUUID } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose'
import { fetch } from 'undici'
import { ConfigError, loadConfig } from '@m365/service-kit'
import { GatewayConfig, tokenSource } from '../../src/index.js'
import { startStack } from '../helper.js'
import { unlessServices } from '../services.js'

const ISSUER = 'https://login.example.test/tenant/v2.0'
const AUDIENCE = 'api://m365-insight'

interface SigningKey { kid: string, alg: string, privateKey: CryptoKey, jwk: JWK }

async function signingKey (alg: 'RS256' | 'ES256' | 'PS256'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg)
  const kid = randomUUID()
  return { kid, alg, privateKey, jwk: { ...await exportJWK(publicKey), kid, alg, use: 'sig' } }
}

/** The identity provider's JWKS endpoint: serves whatever keys the test publishes, counts fetches. */
async function startJwksServer (t: Test) {
  const state = { keys: [] as JWK[], fetches: 0, down: false }
  const server = createServer((req, res) => {
    state.fetches++
    if (state.down) { res.writeHead(503).end(); return }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: state.keys }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise((resolve) => server.close(resolve)))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`, state }
}

const token = (key: SigningKey, claims: Record<string, unknown> = { role: 'msp' }, overrides: { issuer?: string, audience?: string } = {}) =>
  new SignJWT(claims).setProtectedHeader({ alg: key.alg, kid: key.kid }).setSubject('staff@msp.example')
    .setIssuer(overrides.issuer ?? ISSUER).setAudience(overrides.audience ?? AUDIENCE).setIssuedAt().setExpirationTime('5m').sign(key.privateKey)

t.test('JWKS mode: tokens of the identity provider pass, rotated keys are fetched, anything else is 401', { skip: unlessServices('report') }, async (t) => {
  const jwks = await startJwksServer(t)
  const [rsa, ec, next, stranger] = await Promise.all([signingKey('RS256'), signingKey('ES256'), signingKey('PS256'), signingKey('RS256')])
  jwks.state.keys = [rsa.jwk, ec.jwk]
  const stack = await startStack(t, {
    services: ['report'],
    env: { JWT_LOCAL_KEY_FILE: '', JWT_JWKS_URL: jwks.url, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, JWT_JWKS_COOLDOWN_MS: '0' }
  })
  const call = async (bearer: string) => await fetch(`${stack.url}/v1/clients`, { headers: { authorization: `Bearer ${bearer}` } })

  t.equal((await call(await token(rsa))).status, 200, 'RS256')
  t.equal((await call(await token(ec))).status, 200, 'ES256')
  const fetched = jwks.state.fetches
  t.equal((await call(await token(rsa))).status, 200)
  t.equal(jwks.state.fetches, fetched, 'keys are cached')

  jwks.state.keys = [...jwks.state.keys, next.jwk]
  t.equal((await call(await token(next))).status, 200, 'a key published after start is fetched on its unknown kid')

  for (const [what, bearer] of [
    ['a key the JWKS does not hold', await token(stranger)],
    ['another issuer', await token(rsa, { role: 'msp' }, { issuer: 'https://evil.example' })],
    ['another audience', await token(rsa, { role: 'msp' }, { audience: 'api://other' })],
    ['a local-mode token', await stack.token({ role: 'msp' })],
    ['no role', await token(rsa, {})]
  ] as const) {
    const res = await call(bearer)
    t.equal(res.status, 401, what)
    t.match(res.headers.get('www-authenticate'), /error="invalid_token"/, what)
  }

  jwks.state.down = true
  const unknownKid = await signingKey('RS256')
  const res = await call(await token(unknownKid))
  t.equal(res.status, 503, 'keys that cannot be fetched are not the caller\'s fault')
  t.match(await res.json(), { status: 503, detail: /see logs/ })
})

t.test('token configuration: JWKS with issuer and audience, or a local key, never both or neither', async (t) => {
  const base = { REPORT_URL: 'http://r', TENANT_AUTH_URL: 'http://t', GRAPH_SYNC_URL: 'http://g', CONTACTS_INGEST_URL: 'http://c' }
  const source = (env: Record<string, string>) => tokenSource(loadConfig(GatewayConfig, { ...base, ...env }))
  t.same(source({ JWT_LOCAL_KEY_FILE: 'data/jwt-key.json' }), { kind: 'local', file: 'data/jwt-key.json' })
  t.same(source({ JWT_JWKS_URL: 'https://idp/jwks', JWT_ISSUER: 'i', JWT_AUDIENCE: 'a' }), { kind: 'jwks', url: 'https://idp/jwks', issuer: 'i', audience: 'a' })
  t.throws(() => source({}), new ConfigError(['JWT_JWKS_URL (with JWT_ISSUER and JWT_AUDIENCE) or JWT_LOCAL_KEY_FILE is required']))
  t.throws(() => source({ JWT_JWKS_URL: 'https://idp/jwks' }), { message: 'config: JWT_ISSUER is required with JWT_JWKS_URL; JWT_AUDIENCE is required with JWT_JWKS_URL' })
  t.throws(() => source({ JWT_JWKS_URL: 'https://idp/jwks', JWT_ISSUER: 'i', JWT_AUDIENCE: 'a', JWT_LOCAL_KEY_FILE: 'k' }), /exclusive/)
  t.throws(() => loadConfig(GatewayConfig, { ...base, REPORT_URL: 'report:3000' }), /REPORT_URL must be an http\(s\):\/\/ URL/)
})
