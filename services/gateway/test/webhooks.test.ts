import t, { type Test } from 'tap'
import { randomUUID } from 'node:crypto'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fetch } from 'undici'
import { encodePrincipal, PRINCIPAL_HEADER } from '@m365/api'
import { autotaskSignatureHeader } from '@m365/psa-simulator'
import { ok, startStack } from './helper.js'
import { unlessServices } from './services.js'

/** Whatever receives the webhooks: records each request's bytes and headers, answers 202 with a marker header. */
async function startRecorder (t: Test) {
  const received: Array<{ method: string, url: string, headers: IncomingHttpHeaders, body: Buffer }> = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) })
      res.writeHead(202, { 'content-type': 'application/json; charset=utf-8', 'x-upstream': 'recorder' }).end('{"status":"accepted","duplicate":false}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise((resolve) => server.close(resolve)))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received }
}

// not what JSON.stringify would write: spacing, key order, escapes and non-ASCII all matter to a signature
const BODY = Buffer.from('{ "Action" :"Update","EntityType":"Contact", "Id":1,\n "Fields":{"lastName":"Zoë \\u00e9 O\'Brien & <Sons>"}}\r\n', 'utf8')

t.test('POST /webhooks/*: the raw bytes and every header reach the upstream untouched, its answer comes back as is', async (t) => {
  const recorder = await startRecorder(t)
  const stack = await startStack(t, { env: { WEBHOOKS_UPSTREAM_URL: recorder.url, RATE_LIMIT_MAX: '1', WEBHOOK_BODY_LIMIT_BYTES: '4096' } })
  const path = `/webhooks/autotask/${randomUUID()}?source=psa`
  const headers = {
    'content-type': 'application/json',
    'x-hook-signature': autotaskSignatureHeader(BODY, 'AtSecret-0123456789'),
    authorization: 'Basic cHNhLXdlYmhvb2s6c2VjcmV0', // HaloPSA authenticates with it: forwarded, not checked here
    'x-content-signature': 'cw-sig==',
    [PRINCIPAL_HEADER]: encodePrincipal({ role: 'msp', sub: 'mallory' })
  }
  for (let i = 0; i < 3; i++) {
    const res = await fetch(`${stack.url}${path}`, { method: 'POST', headers, body: BODY })
    t.equal(res.status, 202, 'no token, and no gateway rate limit: contacts-ingest limits per connection')
    t.equal(res.headers.get('x-upstream'), 'recorder')
    t.same(await res.json(), { status: 'accepted', duplicate: false })
  }
  const [first] = recorder.received
  t.equal(recorder.received.length, 3)
  t.equal(first?.method, 'POST')
  t.equal(first?.url, path, 'same path and query')
  t.ok(first?.body.equals(BODY), 'the same bytes')
  for (const name of ['content-type', 'x-hook-signature', 'authorization', 'x-content-signature'] as const) {
    t.equal(first?.headers[name], headers[name], `${name} untouched`)
  }
  t.equal(first?.headers[PRINCIPAL_HEADER], undefined, 'a principal header from outside never passes')
  t.equal(first?.headers['x-forwarded-for'], '127.0.0.1')

  const other = await fetch(`${stack.url}/webhooks/halopsa/${randomUUID()}`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'not json at all' })
  t.equal(other.status, 202, 'whatever the media type: contacts-ingest decides')
  t.equal(recorder.received.at(-1)?.body.toString(), 'not json at all')
  await other.body?.cancel()

  const big = await fetch(`${stack.url}/webhooks/autotask/${randomUUID()}`, { method: 'POST', headers, body: Buffer.alloc(5000, 0x20) })
  t.equal(big.status, 413, 'over WEBHOOK_BODY_LIMIT_BYTES')
  t.match(big.headers.get('content-type'), /^application\/problem\+json/)
  await big.body?.cancel()
  t.equal(recorder.received.length, 4, 'the oversized body went nowhere')
})

t.test('without WEBHOOKS_UPSTREAM_URL there is no /webhooks route', async (t) => {
  const stack = await startStack(t)
  const res = await fetch(`${stack.url}/webhooks/autotask/${randomUUID()}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
  t.equal(res.status, 404)
  await res.body?.cancel()
})

t.test('through to contacts-ingest: a signed Autotask webhook is accepted once; a changed byte is 401', { skip: unlessServices('contacts-ingest') }, async (t) => {
  const stack = await startStack(t, { services: ['contacts-ingest'] })
  const secret = `AtSecret-${randomUUID()}`
  const connection = ok(await stack.api().POST('/v1/psa-connections', {
    body: { psa: 'autotask', name: 'Autotask', baseUrl: 'https://webservices5.autotask.net/ATServicesRest', webhookSecret: secret }
  }), 'create connection')
  const body = Buffer.from('{"Action":"Update","Guid":"3f2a9c1e-7b4d-4e8a-9c55-0d1e2f3a4b5c","EntityType":"Contact","Id":30684512,' +
    '"Fields":{"lastName":"Zoë O\'Brien & Sons"},"EventTime":"2025-06-02T14:07:32.103Z","SequenceNumber":17,"PersonID":29682885}', 'utf8')
  const post = (bytes: Buffer) => fetch(`${stack.url}${connection.webhookPath}`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-hook-signature': autotaskSignatureHeader(body, secret) }, body: bytes
  })
  const accepted = await post(body)
  t.equal(accepted.status, 202)
  t.same(await accepted.json(), { status: 'accepted', duplicate: false })
  const again = await post(body)
  t.same(await again.json(), { status: 'accepted', duplicate: true }, 'the same delivery twice changes nothing')
  const flipped = Buffer.from(body)
  flipped[40] = (flipped[40] as number) ^ 0x01
  const refused = await post(flipped)
  t.equal(refused.status, 401)
  t.match(await refused.json(), { status: 401, code: 'WEBHOOK_NOT_VERIFIED' }, "contacts-ingest's problem, relayed")
})
