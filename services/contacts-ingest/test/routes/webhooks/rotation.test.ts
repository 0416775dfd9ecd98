import { createHmac } from 'node:crypto'
import t from 'tap'
import { sql } from 'drizzle-orm'
import { build, createConnection, headersFor, waitFor, type Harness } from '../../helper.js'

const body = (seq: number, action = 'Update') => JSON.stringify({
  Action: action,
  Guid: '3f2a9c1e-7b4d-4e8a-9c55-0d1e2f3a4b5c',
  EntityType: 'Contact',
  Id: 30684512 + seq,
  Fields: {},
  EventTime: '2025-06-02T14:07:32.103Z',
  SequenceNumber: seq
})
const sign = (payload: string, secret: string) => `sha1=${createHmac('sha1', secret).update(payload).digest('base64')}`

async function post (h: Harness, url: string, payload: string, headers: Record<string, string>) {
  return (await h.app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/json', ...headers } })).statusCode
}

t.test('after a rotation old and new secrets verify until the grace period ends, then only the new one', async (t) => {
  const h = await build(t, { bus: 'in-process', env: { DELIVERY_POLL_MS: '60000' } })
  const { id } = await createConnection(h.app, { psa: 'autotask', name: 'at', baseUrl: 'https://webservices5.autotask.net/ATServicesRest', webhookSecret: 'the-old-secret' })
  const url = `/webhooks/autotask/${id}`
  t.equal(await post(h, url, body(1), { 'x-hook-signature': sign(body(1), 'the-old-secret') }), 202)
  const rotated = await h.app.inject({
    method: 'POST', url: `/v1/psa-connections/${id}/secret/rotate`, headers: headersFor(), payload: { webhookSecret: 'the-new-secret', graceSeconds: 2 }
  })
  t.equal(rotated.statusCode, 200)
  t.equal(await post(h, url, body(2), { 'x-hook-signature': sign(body(2), 'the-old-secret') }), 202, 'old secret during the grace period')
  t.equal(await post(h, url, body(3), { 'x-hook-signature': sign(body(3), 'the-new-secret') }), 202, 'new secret')
  const [row] = await h.query<{ headers: { verifiedBy: string } }>(sql`select headers from contacts_ingest.webhook_deliveries where dedupe_key like '%:2'`)
  t.equal(row?.headers.verifiedBy, 'raw:previous', 'the delivery records that the previous secret matched')
  let seq = 10
  await waitFor(async () => await post(h, url, body(++seq), { 'x-hook-signature': sign(body(seq), 'the-old-secret') }) === 401,
    'the grace period to end', 10_000)
  t.equal(await post(h, url, body(++seq), { 'x-hook-signature': sign(body(seq), 'the-new-secret') }), 202, 'the new secret still verifies')
  const got = await h.app.inject({ url: `/v1/psa-connections/${id}`, headers: headersFor() })
  t.equal(got.json().previousSecretValidUntil, null, 'no secret in its grace period any more')
})

t.test('a HaloPSA password rotates the same way', async (t) => {
  const h = await build(t, { bus: 'in-process', env: { DELIVERY_POLL_MS: '60000' } })
  const { id } = await createConnection(h.app, { psa: 'halopsa', name: 'halo', baseUrl: 'https://acme.halopsa.com', webhookSecret: 'halo-old-password' })
  const basic = (password: string) => ({ authorization: `Basic ${Buffer.from(`psa-webhook:${password}`).toString('base64')}` })
  const hint = (n: number) => JSON.stringify({ event: 'user updated', user: { id: n } })
  const url = `/webhooks/halopsa/${id}`
  await h.app.inject({ method: 'POST', url: `/v1/psa-connections/${id}/secret/rotate`, headers: headersFor(), payload: { webhookSecret: 'halo-new-password' } })
  t.equal(await post(h, url, hint(1), basic('halo-old-password')), 202)
  t.equal(await post(h, url, hint(2), basic('halo-new-password')), 202)
  t.equal(await post(h, url, hint(3), basic('another-password')), 401)
})

t.test('a signed Autotask Deactivated call is recorded on the connection; an unsigned one changes nothing', async (t) => {
  const h = await build(t, { bus: 'in-process' })
  const secret = 'at-deactivation-secret'
  const { id } = await createConnection(h.app, { psa: 'autotask', name: 'at', baseUrl: 'https://webservices5.autotask.net/ATServicesRest', webhookSecret: secret })
  const url = `/webhooks/autotask/${id}`
  const deactivated = body(1, 'Deactivated')
  t.equal(await post(h, url, deactivated, { 'x-hook-signature': sign(deactivated, 'not-the-secret') }), 401)
  t.equal((await h.app.inject({ url: `/v1/psa-connections/${id}`, headers: headersFor() })).json().webhookDeactivatedAt, null)
  t.equal(await post(h, url, deactivated, { 'x-hook-signature': sign(deactivated, secret) }), 202)
  await waitFor(async () => (await h.app.inject({ url: `/v1/psa-connections/${id}`, headers: headersFor() })).json().webhookDeactivatedAt !== null,
    'the deactivation recorded')
  const [contacts] = await h.query<{ n: number }>(sql`select count(*)::int as n from contacts_ingest.contacts`)
  t.equal(contacts?.n, 0, 'no contact touched')
})
