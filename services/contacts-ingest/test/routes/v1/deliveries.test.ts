import { randomUUID } from 'node:crypto'
import t from 'tap'
import { sql } from 'drizzle-orm'
import { buildConnectWiseWebhook, sendWebhooks, type PsaSimulator, type SimContact } from '@m365/psa-simulator'
import type { PsaConnection, WebhookDelivery } from '@m365/api'
import {
  build, createConnection, headersFor, putMapping, simulatorConnection, startSimulator, storedContacts, waitFor, type Harness
} from '../../helper.js'
import { listen, testWorker } from '../../webhooks/helpers.js'
import { publicError } from '../../../src/webhooks/recovery.js'

const WRONG_KEY = 'wrong-private-key-never-shown'
const fast = { attempts: 3, delayMs: 20 }

interface Page { items: WebhookDelivery[], nextCursor: string | null }

async function list (h: Harness, connectionId: string, query = ''): Promise<Page> {
  const res = await h.app.inject({ url: `/v1/psa-connections/${connectionId}/deliveries${query}`, headers: headersFor() })
  if (res.statusCode !== 200) throw new Error(`list answered ${res.statusCode}: ${res.body}`)
  return res.json()
}

async function retry (h: Harness, connectionId: string, body?: { ids: string[] }): Promise<number> {
  const res = await h.app.inject({
    method: 'POST', url: `/v1/psa-connections/${connectionId}/deliveries/retry`, headers: headersFor(), ...(body ? { payload: body } : {})
  })
  if (res.statusCode !== 200) throw new Error(`retry answered ${res.statusCode}: ${res.body}`)
  return res.json().retried
}

async function connection (h: Harness, id: string): Promise<PsaConnection> {
  return (await h.app.inject({ url: `/v1/psa-connections/${id}`, headers: headersFor() })).json()
}

/** ConnectWise callbacks without an email: the contact must be fetched from the REST API, which the wrong key cannot. */
async function sendNoEmail (sim: PsaSimulator, base: string, connectionId: string, contacts: SimContact[]) {
  const report = await sendWebhooks({
    psa: 'connectwise',
    signingKey: sim.admin.signingKey(),
    targetUrl: `${base}/webhooks/connectwise/${connectionId}`,
    events: contacts.map((c) => buildConnectWiseWebhook(c, { action: 'added', keyUrl: sim.keyUrl(), variant: 'no-email' })),
    retries: fast
  })
  if (report.failed > 0) throw new Error('a webhook was not accepted')
}

async function failed (h: Harness, connectionId: string, count: number): Promise<WebhookDelivery[]> {
  let items: WebhookDelivery[] = []
  await waitFor(async () => {
    items = (await list(h, connectionId, '?limit=500')).items
    return items.length === count
  }, `${count} failed deliveries`, 30_000)
  return items
}

t.test('a delivery whose refetch the wrong credentials refuse fails for good, is listed with its error, and after the fix a retry brings the contact', async (t) => {
  const sim = await startSimulator(t)
  const h = await build(t, { env: { CONNECTWISE_KEY_HOSTS: sim.url, DELIVERY_MAX_ATTEMPTS: '2' } })
  const base = await listen(t, h)
  const company = sim.admin.createCompany({ name: 'Fabrikam' })
  const clientId = randomUUID()
  const good = simulatorConnection(sim, 'connectwise')
  const wrong = { ...good.credentials, privateKey: WRONG_KEY }
  const conn = await createConnection(h.app, { ...good, credentials: wrong })
  const other = await createConnection(h.app, { ...good, name: 'other', credentials: wrong })
  await putMapping(h.app, conn.id, [{ companyExternalId: String(company.id), clientId }])
  const people = ['Ana', 'Ben', 'Cy'].map((firstName) => sim.admin.createContact({
    companyId: company.id, firstName, lastName: 'Secretname', emails: [`${firstName.toLowerCase()}@fabrikam.example`]
  }))
  await sendNoEmail(sim, base, conn.id, people)
  await sendNoEmail(sim, base, other.id, [people[0]!])

  const items = await failed(h, conn.id, 3)
  const [otherDelivery] = await failed(h, other.id, 1)
  for (const item of items) {
    t.match(item, { connectionId: conn.id, psa: 'connectwise', status: 'failed', attempts: 2, nextAttemptAt: null, outcome: null })
    t.match(item.lastError, /^GET http:\/\/127\.0\.0\.1:\d+\/\S+ answered 401/, 'the refetch the PSA refused')
    t.notMatch(item.lastError, /\n/)
    t.ok(item.processedAt !== null && Date.parse(item.processedAt) >= Date.parse(item.receivedAt), 'given up after it arrived')
  }
  const raw = (await h.app.inject({ url: `/v1/psa-connections/${conn.id}/deliveries`, headers: headersFor() })).body
  for (const secret of [WRONG_KEY, good.credentials!.publicKey!, 'Secretname']) t.notOk(raw.includes(secret), `${secret.slice(0, 8)}… is not shown`)
  t.equal((await connection(h, conn.id)).failedDeliveries, 3)
  t.equal((await connection(h, other.id)).failedDeliveries, 1)
  t.same((await list(h, conn.id, '?status=pending')).items, [])
  t.same((await list(h, conn.id, '?status=processed')).items, [])

  // pages, oldest first: deliveries stored by one INSERT share their received_at to the microsecond
  const first = await list(h, conn.id, '?limit=2')
  const second = await list(h, conn.id, `?limit=2&cursor=${first.nextCursor!}`)
  t.equal(first.items.length, 2)
  t.equal(second.nextCursor, null)
  t.same([...first.items, ...second.items].map((d) => d.id), items.map((d) => d.id), 'every delivery once, in order')

  t.equal(await retry(h, conn.id, { ids: [otherDelivery!.id] }), 0, 'another connection\'s delivery is not retried through this one')
  t.equal(await retry(h, conn.id), 3, 'all failed, still with the wrong key')
  await failed(h, conn.id, 3)
  t.ok((await list(h, conn.id)).items.every((d) => d.attempts === 2), 'a fresh budget of tries, used up again')

  const patched = await h.app.inject({ method: 'PATCH', url: `/v1/psa-connections/${conn.id}`, headers: headersFor(), payload: { credentials: good.credentials } })
  t.equal(patched.statusCode, 200)
  const chosen = items[1]!
  t.equal(await retry(h, conn.id, { ids: [chosen.id, otherDelivery!.id, randomUUID()] }), 1, 'only the listed one of this connection')
  let processed: WebhookDelivery | undefined
  await waitFor(async () => (processed = (await list(h, conn.id, '?status=processed')).items[0]) !== undefined, 'the retried delivery processed', 30_000)
  t.match(processed, { id: chosen.id, status: 'processed', attempts: 1, lastError: null, nextAttemptAt: null, outcome: /^refetched/ })
  t.equal((await list(h, conn.id)).items.length, 2, 'the others are still failed')

  t.equal(await retry(h, conn.id), 2)
  t.equal(await retry(h, conn.id), 0, 'asking again changes nothing')
  await waitFor(async () => (await list(h, conn.id, '?status=processed')).items.length === 3, 'every retried delivery processed', 30_000)
  t.equal((await connection(h, conn.id)).failedDeliveries, 0)
  const stored = await storedContacts(h, conn.id)
  for (const person of people) {
    t.match(stored.get(String(person.id)), { first_name: person.firstName, deleted: false, client_id: clientId }, `${person.firstName} arrived`)
  }
  await waitFor(() => people.every((p) => h.events.upserted.some((e) => e.data.contact.externalId === String(p.id) && e.data.clientId === clientId)),
    'the contacts published to their client', 30_000)

  t.match(await failed(h, other.id, 1), [{ id: otherDelivery!.id, attempts: 2 }], 'the other connection\'s delivery untouched')
  t.equal((await connection(h, other.id)).failedDeliveries, 1)
})

t.test('bad cursors, limits, statuses and ids are 400 problem+json and retry nothing; an unknown connection is 404', async (t) => {
  const h = await build(t, { bus: 'in-process' })
  const conn = await createConnection(h.app, { psa: 'connectwise', name: 'cw', baseUrl: 'https://api-na.myconnectwise.net/v4_6_release/apis/3.0' })
  const cursorOf = (values: unknown[]) => Buffer.from(JSON.stringify(values)).toString('base64url')
  const url = `/v1/psa-connections/${conn.id}/deliveries`
  for (const [query, field] of [
    ['?cursor=nonsense', /querystring\/cursor/],
    [`?cursor=${cursorOf(['not a date', randomUUID()])}`, /querystring\/cursor/],
    [`?cursor=${cursorOf([new Date().toISOString(), 'x'])}`, /querystring\/cursor/],
    ['?limit=0', /querystring\/limit/],
    ['?limit=501', /querystring\/limit/],
    ['?limit=ten', /querystring\/limit/],
    ['?status=done', /querystring\/status/]
  ] as const) {
    const res = await h.app.inject({ url: `${url}${query}`, headers: headersFor() })
    t.equal(res.statusCode, 400, query)
    t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8')
    t.match(res.json().detail, field, query)
  }
  const valid = await h.app.inject({ url: `${url}?cursor=${cursorOf(['2026-01-01T00:00:00.123456Z', randomUUID()])}`, headers: headersFor() })
  t.equal(valid.statusCode, 200, 'a cursor to the microsecond')

  const [stored] = await h.query<{ id: string }>(sql`insert into contacts_ingest.webhook_deliveries (id, connection_id, psa, dedupe_key, body, headers, status, attempts, last_error)
    values (${randomUUID()}, ${conn.id}, 'connectwise', 'k1', '\\x7b7d'::bytea, '{}'::jsonb, 'failed', 40, 'GET https://u:p@host/x?token=1 answered 401') returning id`)
  for (const payload of [{ ids: ['not-a-uuid'] }, { ids: [] }, { ids: [stored!.id, 7] }, { ids: null },
    { ids: Array.from({ length: 1001 }, () => randomUUID()) }]) {
    const res = await h.app.inject({ method: 'POST', url: `${url}/retry`, headers: headersFor(), payload })
    t.equal(res.statusCode, 400, JSON.stringify(payload).slice(0, 60))
    t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8')
    t.match(res.json().detail, /body/)
  }
  t.match((await list(h, conn.id)).items, [{ id: stored!.id, status: 'failed', attempts: 40, lastError: 'GET https://host/x answered 401' }],
    'nothing retried; no credentials or query in the error')

  const unknown = randomUUID()
  for (const [method, path] of [['GET', 'deliveries'], ['POST', 'deliveries/retry']] as const) {
    const res = await h.app.inject({ method, url: `/v1/psa-connections/${unknown}/${path}`, headers: headersFor() })
    t.equal(res.statusCode, 404, `${method} ${path}`)
    t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8')
  }
  t.equal((await h.app.inject({ url: '/v1/psa-connections/nope/deliveries', headers: headersFor() })).statusCode, 400, 'a connection id that is not a uuid')
})

t.test('retention prunes processed deliveries only: a failed one is kept, however old, until it is retried', async (t) => {
  const h = await build(t, { bus: 'in-process', env: { DELIVERY_POLL_MS: '600000' } })
  const conn = await createConnection(h.app, { psa: 'connectwise', name: 'cw', baseUrl: 'https://api-na.myconnectwise.net/v4_6_release/apis/3.0' })
  const old = (status: string, key: string) => sql`insert into contacts_ingest.webhook_deliveries
    (id, connection_id, psa, dedupe_key, body, headers, status, attempts, received_at, processed_at)
    values (${randomUUID()}, ${conn.id}, 'connectwise', ${key}, '\\x7b7d'::bytea, '{}'::jsonb, ${status}, 40, now() - interval '60 days', now() - interval '59 days')`
  await h.query(old('failed', 'old-failed'))
  await h.query(old('done', 'old-done'))
  // a worker of its own: its first pass prunes
  let pruned = false
  const worker = testWorker(h, { maxAttempts: 1, onChange: () => {} })
  t.teardown(() => worker.stop())
  await waitFor(async () => {
    pruned = (await h.query(sql`select 1 from contacts_ingest.webhook_deliveries where dedupe_key = 'old-done'`)).length === 0
    return pruned
  }, 'the old processed delivery pruned')
  t.ok(pruned)
  t.match((await list(h, conn.id)).items, [{ status: 'failed', attempts: 40 }], 'the old failed delivery is still there')
})

t.test('publicError: one line, no credentials or query strings, bounded', async (t) => {
  t.equal(publicError(null), null)
  t.equal(publicError('\nPOST https://user:pass@halo.example/auth/token?tenant=x answered 401: {"error":\n"invalid_client"}'),
    'POST https://halo.example/auth/token answered 401: {"error":')
  t.equal(publicError('tab\there\u0000'), 'tab here')
  const long = publicError('x'.repeat(1000))!
  t.equal(long.length, 300)
  t.ok(long.endsWith('…'))
})
