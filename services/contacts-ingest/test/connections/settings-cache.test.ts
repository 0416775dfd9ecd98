import { createHmac } from 'node:crypto'
import t from 'tap'
import { sql } from 'drizzle-orm'
import { build, createConnection, headersFor, waitFor, type Harness } from '../helper.js'

const body = (seq: number) => JSON.stringify({
  Action: 'Update', Guid: '5d1e2f3a-7b4d-4e8a-9c55-0d1e2f3a4b5c', EntityType: 'Contact', Id: 4100 + seq, Fields: {}, EventTime: '2025-06-02T14:07:32.103Z', SequenceNumber: seq
})
const sign = (payload: string, secret: string) => `sha1=${createHmac('sha1', secret).update(payload).digest('base64')}`

let seq = 0
async function post (h: Harness, id: string, secret: string): Promise<number> {
  const payload = body(++seq)
  const res = await h.app.inject({
    method: 'POST', url: `/webhooks/autotask/${id}`, payload, headers: { 'content-type': 'application/json', 'x-hook-signature': sign(payload, secret) }
  })
  return res.statusCode
}

const stored = async (h: Harness) => (await h.query<{ n: number }>(sql`select count(*)::int as n from contacts_ingest.webhook_deliveries`))[0]?.n ?? -1

t.test('cached verification settings: a rotation shows at once on this replica and, for the new secret, on another', async (t) => {
  // two replicas on one database; the other keeps settings for a minute, so only its refresh can explain what it accepts
  const a = await build(t, { bus: 'in-process', env: { DELIVERY_POLL_MS: '60000' } })
  const b = await build(t, { bus: 'in-process', databaseUrl: a.databaseUrl, env: { DELIVERY_POLL_MS: '60000', WEBHOOK_SETTINGS_CACHE_MS: '60000' } })
  const { id } = await createConnection(a.app, { psa: 'autotask', name: 'at', baseUrl: 'https://webservices5.autotask.net/ATServicesRest', webhookSecret: 'cache-old-secret' })
  t.equal(await post(a, id, 'cache-old-secret'), 202)
  t.equal(await post(b, id, 'cache-old-secret'), 202, 'the other replica now holds the settings')

  const rotated = await a.app.inject({
    method: 'POST', url: `/v1/psa-connections/${id}/secret/rotate`, headers: headersFor(), payload: { webhookSecret: 'cache-new-secret', graceSeconds: 2 }
  })
  t.equal(rotated.statusCode, 200)
  t.equal(await post(a, id, 'cache-new-secret'), 202, 'the new secret verifies at once where it was rotated')
  t.equal(await post(b, id, 'cache-new-secret'), 202, 'and at once on the other replica (rejected by its cached secrets, read again)')
  t.equal(await post(a, id, 'cache-old-secret'), 202, 'the old one during the grace period')
  t.equal(await post(b, id, 'another-secret'), 401, 'a wrong secret is still 401 after reading again')

  await waitFor(async () => await post(a, id, 'cache-old-secret') === 401, 'the old secret to stop verifying after the grace period', 20_000)
  await waitFor(async () => await post(b, id, 'cache-old-secret') === 401,
    'the old secret to stop on the other replica too (its settings were read again with the grace period\'s end)', 20_000)
  t.equal(await post(b, id, 'cache-new-secret'), 202, 'the new secret goes on verifying')
})

t.test('a connection deleted on another replica: its cached settings verify, but nothing is acknowledged', async (t) => {
  const a = await build(t, { bus: 'in-process', env: { DELIVERY_POLL_MS: '60000' } })
  const b = await build(t, { bus: 'in-process', databaseUrl: a.databaseUrl, env: { DELIVERY_POLL_MS: '60000', WEBHOOK_SETTINGS_CACHE_MS: '60000' } })
  const gone = await createConnection(a.app, { psa: 'autotask', name: 'gone', baseUrl: 'https://webservices5.autotask.net/ATServicesRest', webhookSecret: 'gone-secret' })
  const kept = await createConnection(a.app, { psa: 'autotask', name: 'kept', baseUrl: 'https://webservices5.autotask.net/ATServicesRest', webhookSecret: 'kept-secret' })
  t.equal(await post(b, gone.id, 'gone-secret'), 202)
  const before = await stored(b)
  t.equal((await a.app.inject({ method: 'DELETE', url: `/v1/psa-connections/${gone.id}`, headers: headersFor() })).statusCode, 204)
  t.equal(await post(a, gone.id, 'gone-secret'), 404, 'gone at once where it was deleted')

  // in the same group commit as deliveries of a live connection: only the orphan fails (its insert violates the foreign key)
  const statuses = await Promise.all([
    ...Array.from({ length: 6 }, () => post(b, kept.id, 'kept-secret')),
    post(b, gone.id, 'gone-secret'),
    ...Array.from({ length: 6 }, () => post(b, kept.id, 'kept-secret'))
  ])
  t.equal(statuses[6], 500, 'the delivery of the deleted connection is not acknowledged')
  t.same(statuses.filter((s, i) => i !== 6), Array(12).fill(202), 'the others are stored')
  t.equal(await stored(b), before - 1 + 12, 'the deleted connection\'s deliveries went with it; the twelve others are there')
})
