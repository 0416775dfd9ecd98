import { createHmac, randomUUID } from 'node:crypto'
import t, { type Test } from 'tap'
import { build, createConnection, rowCounts, type Harness } from '../../helper.js'
import { autotaskBodyA, autotaskHeaderA, autotaskSecret } from '@m365/psa/testing'

const sign = (body: Buffer | string) => `sha1=${createHmac('sha1', autotaskSecret).update(body).digest('base64')}`
const PROBLEM = 'application/problem+json; charset=utf-8'

async function setup (t: Test, env: Record<string, string> = {}) {
  const h = await build(t, { bus: 'in-process', env: { WEBHOOK_BODY_LIMIT_BYTES: '2048', ...env } })
  const at = await createConnection(h.app, { psa: 'autotask', name: 'at', baseUrl: 'https://webservices5.autotask.net/ATServicesRest', webhookSecret: autotaskSecret })
  return { h, url: `/webhooks/autotask/${at.id}`, id: at.id }
}

async function unchanged (t: Test, h: Harness, run: () => Promise<void>) {
  const before = await rowCounts(h)
  await run()
  t.same(await rowCounts(h), before, 'nothing was written')
}

t.test('unknown connection or PSA is 404', async (t) => {
  const { h, id } = await setup(t)
  await unchanged(t, h, async () => {
    for (const url of [`/webhooks/autotask/${randomUUID()}`, `/webhooks/connectwise/${id}`, '/webhooks/autotask/not-a-uuid', `/webhooks/syncro/${id}`]) {
      const res = await h.app.inject({ method: 'POST', url, payload: autotaskBodyA, headers: { 'content-type': 'application/json', 'x-hook-signature': autotaskHeaderA } })
      t.equal(res.statusCode, 404, url)
      t.equal(res.headers['content-type'], PROBLEM)
    }
  })
})

t.test('wrong or missing signature is 401', async (t) => {
  const { h, url } = await setup(t)
  await unchanged(t, h, async () => {
    for (const signature of [undefined, 'sha1=AAAAAAAAAAAAAAAAAAAAAAAAAAA=', 'garbage', sign('another body')]) {
      const res = await h.app.inject({
        method: 'POST', url, payload: autotaskBodyA, headers: { 'content-type': 'application/json', ...(signature ? { 'x-hook-signature': signature } : {}) }
      })
      t.equal(res.statusCode, 401, String(signature))
      t.equal(res.headers['content-type'], PROBLEM)
    }
  })
})

t.test('malformed or wrong-typed bodies (correctly signed) are 400 naming the field', async (t) => {
  const { h, url } = await setup(t)
  const valid = JSON.parse(autotaskBodyA.toString()) as Record<string, unknown>
  const cases: Array<[string, RegExp]> = [
    ['{"Action":"Update",', /\(body\) is not valid JSON/],
    [JSON.stringify({ ...valid, Id: 'thirty' }), /^Id must be integer/],
    [JSON.stringify({ ...valid, Action: 'Explode' }), /^Action must be one of/],
    [JSON.stringify({ ...valid, Fields: { isActive: 'yes' } }), /^Fields\.isActive/],
    [JSON.stringify({ ...valid, EntityType: 'Ticket' }), /^EntityType must be Contact/],
    [JSON.stringify({ Action: 'Update', EntityType: 'Contact', Id: 1 }), /^Guid is required/],
    [JSON.stringify({ ...valid, Guid: `${String(valid.Guid)}\u0000` }), /^Guid must not contain control characters/],
    ['[]', /must be object/]
  ]
  await unchanged(t, h, async () => {
    for (const [body, detail] of cases) {
      const res = await h.app.inject({ method: 'POST', url, payload: body, headers: { 'content-type': 'application/json', 'x-hook-signature': sign(body) } })
      t.equal(res.statusCode, 400, body.slice(0, 40))
      t.equal(res.headers['content-type'], PROBLEM)
      t.match(res.json(), { status: 400, code: 'INVALID_PAYLOAD', detail })
    }
  })
})

t.test('a body over the size limit is 413, an unsupported media type 415', async (t) => {
  const { h, url } = await setup(t)
  const big = JSON.stringify({ ...JSON.parse(autotaskBodyA.toString()), Fields: { title: 'x'.repeat(3000) } })
  await unchanged(t, h, async () => {
    const tooBig = await h.app.inject({ method: 'POST', url, payload: big, headers: { 'content-type': 'application/json', 'x-hook-signature': sign(big) } })
    t.equal(tooBig.statusCode, 413)
    t.equal(tooBig.headers['content-type'], PROBLEM)
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      const res = await h.app.inject({ method: 'POST', url, payload: autotaskBodyA, headers: { 'content-type': type, 'x-hook-signature': autotaskHeaderA } })
      t.equal(res.statusCode, 415, type)
      t.equal(res.headers['content-type'], PROBLEM)
    }
  })
})

t.test('more webhooks than the limit for one connection are 429 with Retry-After; other connections are unaffected', async (t) => {
  const { h, url } = await setup(t, { WEBHOOK_RATE_LIMIT_MAX: '3', WEBHOOK_RATE_LIMIT_WINDOW_MS: '600000' })
  const other = await createConnection(h.app, { psa: 'autotask', name: 'other', baseUrl: 'https://webservices5.autotask.net/ATServicesRest', webhookSecret: autotaskSecret })
  const headers = { 'content-type': 'application/json', 'x-hook-signature': autotaskHeaderA }
  for (let i = 0; i < 3; i++) t.equal((await h.app.inject({ method: 'POST', url, payload: autotaskBodyA, headers })).statusCode, 202)
  await unchanged(t, h, async () => {
    const limited = await h.app.inject({ method: 'POST', url, payload: autotaskBodyA, headers })
    t.equal(limited.statusCode, 429)
    t.equal(limited.headers['content-type'], PROBLEM)
    t.match(limited.json(), { status: 429, code: 'RATE_LIMITED' })
    t.ok(Number(limited.headers['retry-after']) > 0, 'Retry-After in seconds')
    const unknown = await h.app.inject({ method: 'POST', url: `/webhooks/autotask/${randomUUID()}`, payload: autotaskBodyA, headers })
    t.equal(unknown.statusCode, 404, 'another connection id has its own budget')
  })
  const fine = await h.app.inject({ method: 'POST', url: `/webhooks/autotask/${other.id}`, payload: autotaskBodyA, headers })
  t.equal(fine.statusCode, 202)
})
