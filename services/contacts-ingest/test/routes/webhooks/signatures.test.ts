import t from 'tap'
import { MockAgent } from 'undici'
import { sql } from 'drizzle-orm'
import { buildConnectWiseWebhook } from '@m365/psa-simulator'
import { connectWiseSignature } from '@m365/psa'
import { build, createConnection, putMapping, rowCounts, simulatorConnection, startSimulator, type Harness } from '../../helper.js'
import {
  autotaskBodyA, autotaskBodyB, autotaskHeaderA, autotaskHeaderBEscaped, autotaskHeaderBRaw, autotaskSecret, connectWiseBody,
  connectWiseHeader, connectWiseSigningKey, connectWiseUnhashedKeyHeader, haloAuthorization, haloPassword, haloUsername, oneByteFlips
} from '@m365/psa/testing'

const json = { 'content-type': 'application/json' }

/** Every copy of a header value with one character's byte changed (bit 0 flipped). */
function * charFlips (value: string): Generator<[number, string]> {
  for (let i = 0; i < value.length; i++) {
    yield [i, value.slice(0, i) + String.fromCharCode(value.charCodeAt(i) ^ 0x01) + value.slice(i + 1)]
  }
}

async function deliveries (h: Harness): Promise<number> {
  const [row] = await h.query<{ n: number }>(sql`select count(*)::int as n from contacts_ingest.webhook_deliveries`)
  return row?.n ?? -1
}

async function post (h: Harness, url: string, body: Buffer, headers: Record<string, string>) {
  return await h.app.inject({ method: 'POST', url, payload: body, headers: { ...json, ...headers } })
}

t.test('Autotask: the spec vectors verify through the route; any changed byte is 401', async (t) => {
  const h = await build(t, { bus: 'in-process', env: { DELIVERY_POLL_MS: '60000' } })
  const { id } = await createConnection(h.app, { psa: 'autotask', name: 'at', baseUrl: 'https://webservices5.autotask.net/ATServicesRest', webhookSecret: autotaskSecret })
  const url = `/webhooks/autotask/${id}`

  const a = await post(h, url, autotaskBodyA, { 'x-hook-signature': autotaskHeaderA })
  t.equal(a.statusCode, 202, 'body A with its signature')
  t.same(a.json(), { status: 'accepted', duplicate: false })
  const bRaw = await post(h, url, autotaskBodyB, { 'x-hook-signature': autotaskHeaderBRaw })
  t.equal(bRaw.statusCode, 202, 'body B signed over the raw bytes')
  const bEscaped = await post(h, url, autotaskBodyB, { 'x-hook-signature': autotaskHeaderBEscaped })
  t.equal(bEscaped.statusCode, 202, 'body B signed over the escaped form (§3.3 quirk)')
  t.same(bEscaped.json(), { status: 'accepted', duplicate: true }, 'the same delivery is stored once')
  t.equal(await deliveries(h), 2)

  const statuses = new Set<number>()
  for (const [, body] of oneByteFlips(autotaskBodyA)) statuses.add((await post(h, url, body, { 'x-hook-signature': autotaskHeaderA })).statusCode)
  for (const [, header] of charFlips(autotaskHeaderA.slice(5))) {
    statuses.add((await post(h, url, autotaskBodyA, { 'x-hook-signature': `sha1=${header}` })).statusCode)
  }
  t.same([...statuses], [401], `all ${autotaskBodyA.length} body flips and every signature flip are 401`)
  const missing = await post(h, url, autotaskBodyA, {})
  t.equal(missing.statusCode, 401)
  t.match(missing.json(), { status: 401, detail: /missing_signature/ })
  t.equal(await deliveries(h), 2, 'rejected deliveries are not stored')
})

t.test('ConnectWise: the spec vector verifies with the key from an allow-listed key_url; any changed byte is 401', async (t) => {
  // stands in for the ConnectWise cloud; any other host would fail the request (and show up as a 503)
  const cloud = new MockAgent()
  cloud.disableNetConnect()
  const requested: string[] = []
  cloud.get('https://api-na.myconnectwise.net').intercept({ path: (path) => { requested.push(path); return true }, method: 'GET' })
    .reply(200, { signing_key: connectWiseSigningKey }).persist()
  t.teardown(() => cloud.close())
  const h = await build(t, { bus: 'in-process', env: { DELIVERY_POLL_MS: '60000' }, connectWiseKeyDispatcher: cloud })
  const { id } = await createConnection(h.app, { psa: 'connectwise', name: 'cw', baseUrl: 'https://api-na.myconnectwise.net/v4_6_release/apis/3.0' })
  const url = `/webhooks/connectwise/${id}`

  const ok = await post(h, url, connectWiseBody, { 'x-content-signature': connectWiseHeader })
  t.equal(ok.statusCode, 202)
  t.same(requested, ['/v4_6_release/system/callbackkey/index.rails?id=abc'], 'the key was fetched from key_url')
  t.equal(await deliveries(h), 1)

  const unhashed = await post(h, url, connectWiseBody, { 'x-content-signature': connectWiseUnhashedKeyHeader })
  t.equal(unhashed.statusCode, 401, 'HMAC keyed with the unhashed key is rejected')
  const statuses = new Set<number>()
  for (const [, body] of oneByteFlips(connectWiseBody)) statuses.add((await post(h, url, body, { 'x-content-signature': connectWiseHeader })).statusCode)
  for (const [, header] of charFlips(connectWiseHeader.slice(0, -1))) {
    statuses.add((await post(h, url, connectWiseBody, { 'x-content-signature': header })).statusCode)
  }
  t.same([...statuses], [401], `all ${connectWiseBody.length} body flips and every signature flip are 401`)
  t.equal(await deliveries(h), 1, 'rejected deliveries are not stored')

  const elsewhere = Buffer.from(connectWiseBody.toString().replace('api-na.myconnectwise.net', 'attacker.example'))
  const res = await post(h, url, elsewhere, { 'x-content-signature': connectWiseHeader })
  t.equal(res.statusCode, 401)
  t.match(res.json().detail, /key_url_not_allowed/)
  // the MockAgent answers only api-na.myconnectwise.net: a request anywhere else would have failed as a 503, never a 401
  t.ok(requested.length >= 1)
})

t.test('ConnectWise: a signature from another company or another site does not write to this connection', async (t) => {
  // the keys are served without authentication: anyone can sign with the key behind any key_url
  const sim = await startSimulator(t)
  const theirs = await startSimulator(t)
  const h = await build(t, { bus: 'in-process', env: { DELIVERY_POLL_MS: '60000', CONNECTWISE_KEY_HOSTS: `${sim.url},${theirs.url}` } })
  const conn = await createConnection(h.app, simulatorConnection(sim, 'connectwise'))
  const company = sim.admin.createCompany({ name: 'Fabrikam' })
  await putMapping(h.app, conn.id, [{ companyExternalId: String(company.id), clientId: '11111111-1111-4111-8111-111111111111' }])
  const ana = sim.admin.createContact({ companyId: company.id, firstName: 'Ana', lastName: 'Lima', emails: ['ana@fabrikam.example'] })
  const url = `/webhooks/connectwise/${conn.id}`
  const send = async (event: object, signingKey: string) => {
    const body = Buffer.from(JSON.stringify(event))
    return await post(h, url, body, { 'x-content-signature': connectWiseSignature(body, signingKey) })
  }
  const before = await rowCounts(h)

  const otherCompany = await send(buildConnectWiseWebhook(ana, { action: 'updated', keyUrl: sim.keyUrl(), companyId: 'attacker_msp' }), sim.admin.signingKey())
  t.equal(otherCompany.statusCode, 401, 'another company on the same site')
  t.match(otherCompany.json(), { status: 401, detail: /credentials_mismatch/ })
  const noCompany = { ...buildConnectWiseWebhook(ana, { action: 'updated', keyUrl: sim.keyUrl() }), CompanyId: undefined }
  t.equal((await send(noCompany, sim.admin.signingKey())).statusCode, 401, 'no CompanyId')
  const otherSite = await send(buildConnectWiseWebhook(ana, { action: 'updated', keyUrl: theirs.keyUrl(), companyId: 'SIMMSP' }), theirs.admin.signingKey())
  t.equal(otherSite.statusCode, 401, 'the right CompanyId, but a key_url on another (allowed) site')
  t.match(otherSite.json(), { status: 401, detail: /key_url_not_allowed/ })
  t.same(await rowCounts(h), before, 'nothing stored')

  const own = await send(buildConnectWiseWebhook(ana, { action: 'updated', keyUrl: sim.keyUrl(), companyId: 'SimMSP' }), sim.admin.signingKey())
  t.equal(own.statusCode, 202, 'the connection\'s own company (any case) and site')
  t.equal(await deliveries(h), 1)
})

t.test('HaloPSA: the configured Basic authorization verifies; any changed byte of it is 401', async (t) => {
  const h = await build(t, { bus: 'in-process', env: { DELIVERY_POLL_MS: '60000' } })
  const { id } = await createConnection(h.app, {
    psa: 'halopsa', name: 'halo', baseUrl: 'https://acme.halopsa.com', webhookSecret: haloPassword, webhookAuth: { type: 'basic', username: haloUsername }
  })
  const url = `/webhooks/halopsa/${id}`
  const body = Buffer.from('{"event":"user updated","user":{"id":1042,"client_id":77,"emailaddress":"dana.reyes@contoso.example"}}')
  const ok = await post(h, url, body, { authorization: haloAuthorization })
  t.equal(ok.statusCode, 202)
  const statuses = new Set<number>()
  for (const [, header] of charFlips(haloAuthorization)) statuses.add((await post(h, url, body, { authorization: header })).statusCode)
  t.same([...statuses], [401], 'every changed byte of the Authorization header is 401')
  t.equal((await post(h, url, body, {})).statusCode, 401, 'no Authorization')
  t.equal(await deliveries(h), 1)
  const [row] = await h.query<{ headers: Record<string, string> }>(sql`select headers from contacts_ingest.webhook_deliveries`)
  t.notOk(JSON.stringify(row?.headers).includes('Basic'), 'the Authorization header (it carries the secret) is not stored')
})
