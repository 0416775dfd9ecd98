import t from 'tap'
import { createHash } from 'node:crypto'
import {
  connectWiseSignature, createConnectWiseKeyFetcher, isAllowedKeyUrl, verifyConnectWise, type ConnectWiseKeySource
} from '@m365/psa'
import {
  connectWiseBody, connectWiseBodySha256, connectWiseDerivedKeyHex, connectWiseHeader, connectWiseSigningKey,
  connectWiseUnhashedKeyHeader, oneByteFlips, oneCharFlips
} from '@m365/psa/testing'
import { callbackBody, startKeyServer } from './key-server.js'

const header = (value: string) => ({ 'x-content-signature': value })
const constantKey: ConnectWiseKeySource = async () => connectWiseSigningKey

t.test('the §7.2 vector verifies', async (t) => {
  t.equal(connectWiseBody.length, 227)
  t.equal(createHash('sha256').update(connectWiseBody).digest('hex'), connectWiseBodySha256)
  t.equal(createHash('sha256').update(connectWiseSigningKey).digest('hex'), connectWiseDerivedKeyHex)
  t.equal(connectWiseSignature(connectWiseBody, connectWiseSigningKey), connectWiseHeader)
  const keyUrls: string[] = []
  const result = await verifyConnectWise(connectWiseBody, header(connectWiseHeader), async (url) => {
    keyUrls.push(url)
    return connectWiseSigningKey
  })
  t.same(result, { ok: true, keyUrl: 'https://api-na.myconnectwise.net/v4_6_release/system/callbackkey/index.rails?id=abc', refreshed: false })
  t.same(keyUrls, ['https://api-na.myconnectwise.net/v4_6_release/system/callbackkey/index.rails?id=abc'])
})

t.test('an HMAC keyed with the unhashed signing key is rejected', async (t) => {
  t.same(await verifyConnectWise(connectWiseBody, header(connectWiseUnhashedKeyHeader), constantKey), { ok: false, reason: 'signature_mismatch' })
})

t.test('flipping one byte of the body or signature fails', async (t) => {
  let accepted = 0
  for (const [, body] of oneByteFlips(connectWiseBody)) {
    if ((await verifyConnectWise(body, header(connectWiseHeader), constantKey)).ok) accepted++
  }
  t.equal(accepted, 0, 'no body with one byte flipped verifies')
  for (const [, signature] of oneCharFlips(connectWiseHeader)) {
    if ((await verifyConnectWise(connectWiseBody, header(signature), constantKey)).ok) accepted++
  }
  t.equal(accepted, 0, 'no signature with one character changed verifies')
})

t.test('the allow-list of key hosts', async (t) => {
  const allowed = [
    'https://api-na.myconnectwise.net/v4_6_release/system/callbackkey/index.rails?id=abc',
    'https://sandbox-au.myconnectwise.net/x', 'https://EU.myconnectwise.net/x', 'https://api-eu.myconnectwise.net:443/x'
  ]
  const rejected = [
    'http://api-na.myconnectwise.net/x', // not https
    'https://api-na.myconnectwise.net:8443/x', // other port
    'https://api-xx.myconnectwise.net/x',
    'https://myconnectwise.net/x',
    'https://api-na.myconnectwise.net.evil.example/x',
    'https://evil.example/api-na.myconnectwise.net',
    'https://api-na.myconnectwise.net@evil.example/x',
    'https://user:pw@api-na.myconnectwise.net/x',
    'ftp://api-na.myconnectwise.net/x',
    'not a url'
  ]
  for (const url of allowed) t.ok(isAllowedKeyUrl(url), url)
  for (const url of rejected) t.notOk(isAllowedKeyUrl(url), url)
  t.ok(isAllowedKeyUrl('https://cw.example.com/x', ['cw.example.com']), 'a configured on-prem host')
  t.notOk(isAllowedKeyUrl('https://api-na.myconnectwise.net/x', ['cw.example.com']), 'a configured list replaces the default')
  t.ok(isAllowedKeyUrl('http://127.0.0.1:4010/k', ['http://127.0.0.1:4010']), 'an exact origin allows http (simulator)')
  t.notOk(isAllowedKeyUrl('http://127.0.0.1:4011/k', ['http://127.0.0.1:4010']), 'but only on that port')
  t.notOk(isAllowedKeyUrl('http://cw.example.com/x', ['cw.example.com']), 'a bare host means https')
})

t.test('a key_url on a host that is not allowed is rejected without any request', async (t) => {
  const attacker = await startKeyServer(t, 'attacker-key')
  const fetcher = createConnectWiseKeyFetcher() // default allow-list: ConnectWise cloud only
  let getKeyCalls = 0
  const getKey: ConnectWiseKeySource = async (url, opts) => { getKeyCalls++; return await fetcher(url, opts) }
  const body = callbackBody(attacker.keyUrl())
  const signature = connectWiseSignature(body, 'attacker-key')
  t.same(await verifyConnectWise(body, header(signature), getKey), { ok: false, reason: 'key_url_not_allowed', detail: attacker.origin.slice('http://'.length) })
  t.equal(getKeyCalls, 0, 'getKey is not called')
  await t.rejects(fetcher(attacker.keyUrl()), { name: 'ConnectWiseKeyError' }, 'the fetcher refuses it on its own too')
  t.equal(attacker.hits(), 0, 'the server got no request')
})

t.test('missing pieces fail before any key lookup', async (t) => {
  let calls = 0
  const getKey: ConnectWiseKeySource = async () => { calls++; return 'k' }
  const body = callbackBody('https://api-na.myconnectwise.net/k')
  const sig = connectWiseSignature(body, 'k')
  t.same(await verifyConnectWise(body, {}, getKey), { ok: false, reason: 'missing_signature' })
  t.same(await verifyConnectWise(body, header('nope'), getKey), { ok: false, reason: 'malformed_signature' })
  t.same(await verifyConnectWise(Buffer.from('{"Metadata":'), header(sig), getKey), { ok: false, reason: 'invalid_body', detail: 'body is not JSON' })
  t.same(await verifyConnectWise(Buffer.from('{"Metadata":{}}'), header(sig), getKey), { ok: false, reason: 'missing_key_url' })
  t.equal(calls, 0)
  const lower = Buffer.from(JSON.stringify({ metadata: { KEY_URL: 'https://api-na.myconnectwise.net/k' } }))
  t.ok((await verifyConnectWise(lower, header(connectWiseSignature(lower, 'k')), getKey)).ok, 'Metadata/key_url looked up case-insensitively')
})

t.test('the key fetcher: allowed origin, cache, rotation with grace, refresh limit', async (t) => {
  const server = await startKeyServer(t, 'key-one')
  let clock = 1_000_000
  const fetcher = createConnectWiseKeyFetcher({ allowedHosts: [server.origin], now: () => clock, ttlMs: 60_000, graceMs: 30_000, minRefreshMs: 5_000 })
  const opts = { allowedKeyHosts: [server.origin] }
  const body = callbackBody(server.keyUrl())
  const signedBy = (key: string) => header(connectWiseSignature(body, key))

  t.same(await verifyConnectWise(body, signedBy('key-one'), fetcher, opts), { ok: true, keyUrl: server.keyUrl(), refreshed: false })
  t.ok((await verifyConnectWise(body, signedBy('key-one'), fetcher, opts)).ok)
  t.equal(server.hits(), 1, 'the key is cached')

  server.setKey('key-two')
  clock += 6_000
  t.same(await verifyConnectWise(body, signedBy('key-two'), fetcher, opts), { ok: true, keyUrl: server.keyUrl(), refreshed: true }, 'a mismatch refreshes the key once')
  t.equal(server.hits(), 2)
  t.ok((await verifyConnectWise(body, signedBy('key-one'), fetcher, opts)).ok, 'the previous key still verifies in its grace period')
  t.equal(server.hits(), 2, 'within minRefreshMs no new request')

  for (let i = 0; i < 5; i++) t.notOk((await verifyConnectWise(body, signedBy('forged'), fetcher, opts)).ok)
  t.equal(server.hits(), 2, 'bad signatures cannot make us hammer the key endpoint')

  clock += 31_000
  t.same(await verifyConnectWise(body, signedBy('key-one'), fetcher, opts), { ok: false, reason: 'signature_mismatch' }, 'after the grace period the old key is gone')
  clock += 61_000
  t.ok((await verifyConnectWise(body, signedBy('key-two'), fetcher, opts)).ok)
  t.equal(server.hits(), 4, 'the TTL expired, so it asked again')
})

t.test('the key fetcher does not follow redirects and limits the body', async (t) => {
  const target = await startKeyServer(t, 'redirected-key')
  const server = await startKeyServer(t, 'unused')
  server.answer((res) => res.writeHead(302, { location: target.keyUrl() }).end())
  const fetcher = createConnectWiseKeyFetcher({ allowedHosts: [server.origin, target.origin] })
  await t.rejects(fetcher(server.keyUrl()), /answered 302/)
  t.equal(target.hits(), 0, 'the redirect target was not asked')

  server.answer((res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ signing_key: 'x'.repeat(70_000) })))
  await t.rejects(fetcher(server.keyUrl('big')), /larger than 65536 bytes/)
  server.answer((res) => res.writeHead(200).end('{"nope":1}'))
  await t.rejects(fetcher(server.keyUrl('empty')), /no signing_key/)
  server.answer((res) => res.writeHead(500).end())
  const body = callbackBody(server.keyUrl('down'))
  t.match(await verifyConnectWise(body, header(connectWiseSignature(body, 'k')), fetcher, { allowedKeyHosts: [server.origin] }),
    { ok: false, reason: 'key_fetch_failed' })
})

t.test('concurrent lookups share one request', async (t) => {
  const server = await startKeyServer(t, 'shared')
  const fetcher = createConnectWiseKeyFetcher({ allowedHosts: [server.origin] })
  const keys = await Promise.all(Array.from({ length: 10 }, async () => await fetcher(server.keyUrl())))
  t.same(new Set(keys.flat()), new Set(['shared']))
  t.equal(server.hits(), 1)
})
