import t from 'tap'
import {
  autotaskNeedsRefetch, connectWiseNeedsRefetch, createConnectWiseKeyFetcher, normaliseAutotaskWebhook, normaliseConnectWiseWebhook,
  parseAutotaskWebhook, parseConnectWiseWebhook, parseHaloWebhook, verifyAutotask, verifyConnectWise, verifyHalo
} from '@m365/psa'
import { buildAutotaskWebhook, buildConnectWiseWebhook, buildHaloWebhook, sendWebhooks } from '@m365/psa-simulator'
import { receiver, simulator } from './helpers.js'

const guid = '3f2a9c1e-7b4d-4e8a-9c55-0d1e2f3a4b5c'
const fast = { delayMs: 1 }

t.test('Autotask webhooks verify with @m365/psa, raw and escaped signatures', async (t) => {
  const sim = await simulator(t)
  const company = sim.admin.createCompany({ name: 'Contoso & Sons' })
  const plain = sim.admin.createContact({ companyId: company.id, firstName: 'Dana', lastName: 'Reyes', emails: ['Dana.Reyes@Contoso.example'] })
  const quirky = sim.admin.createContact({ companyId: company.id, firstName: 'Zoë', lastName: "O'Brien <IT>", emails: ['zoe@contoso.example'] })
  const secret = 'at-secret-0123456789'
  const hook = await receiver(t, (raw, headers) => verifyAutotask(raw, headers, secret))
  const events = [
    buildAutotaskWebhook(plain, { action: 'Create', guid, sequenceNumber: 1 }),
    buildAutotaskWebhook(quirky, { action: 'Update', guid, sequenceNumber: 2 }),
    buildAutotaskWebhook(quirky, { action: 'Delete', guid, sequenceNumber: 3 })
  ]
  const raw = await sendWebhooks({ psa: 'autotask', targetUrl: hook.url, secret, events, retries: fast })
  t.same(raw.deliveries.map((d) => d.status), [204, 204, 204])
  t.same(hook.received.map((r) => r.detail), [1, 2, 3].map(() => ({ ok: true, matched: 'raw', secretIndex: 0 })))

  const escaped = await sendWebhooks({ psa: 'autotask', targetUrl: hook.url, secret, events, signEscaped: true, retries: fast })
  t.equal(escaped.delivered, 3)
  t.same(hook.received.slice(3).map((r) => (r.detail as { matched: string }).matched), ['raw', 'escaped', 'raw'],
    'only the body with characters to escape needs the escaped form')

  const event = parseAutotaskWebhook(hook.received[1]!.body)
  t.match(normaliseAutotaskWebhook(event), { externalId: String(quirky.id), lastName: "O'Brien <IT>", partial: true, presentFields: ['firstName', 'lastName', 'emails'] })
  t.same(autotaskNeedsRefetch(event).refetch, false)
  t.match(normaliseAutotaskWebhook(parseAutotaskWebhook(hook.received[2]!.body)), { deleted: true })
})

t.test('a wrong secret is rejected every time and retried like the PSA', async (t) => {
  const sim = await simulator(t)
  const { firstContactId } = sim.admin.generate({ contacts: 1 })
  const hook = await receiver(t, (raw, headers) => verifyAutotask(raw, headers, 'the-right-secret'))
  const report = await sendWebhooks({
    psa: 'autotask',
    targetUrl: hook.url,
    secret: 'a-wrong-secret',
    retries: { attempts: 3, delayMs: 1 },
    events: [buildAutotaskWebhook(sim.admin.getContact(firstContactId)!, { action: 'Update', guid })]
  })
  t.same(report.deliveries[0]?.attempts, [{ status: 401 }, { status: 401 }, { status: 401 }])
  t.same({ delivered: report.delivered, failed: report.failed }, { delivered: 0, failed: 1 })
  t.same(hook.received.map((r) => r.detail), [1, 2, 3].map(() => ({ ok: false, reason: 'signature_mismatch' })))
})

t.test('ConnectWise webhooks verify with the key from the simulator key_url', async (t) => {
  const sim = await simulator(t, { signingKey: 'cw-signing-key-example-42' })
  const { firstContactId } = sim.admin.generate({ contacts: 2 })
  const contact = sim.admin.getContact(firstContactId)!
  const fetcher = createConnectWiseKeyFetcher({ allowedHosts: [sim.url], minRefreshMs: 0 })
  const hook = await receiver(t, async (raw, headers) => await verifyConnectWise(raw, headers, fetcher, { allowedKeyHosts: [sim.url] }))
  const keyUrl = sim.keyUrl()
  const events = [
    buildConnectWiseWebhook(contact, { action: 'added', keyUrl }),
    buildConnectWiseWebhook(contact, { action: 'updated', keyUrl, variant: 'no-email' }),
    buildConnectWiseWebhook(contact, { action: 'updated', keyUrl, entityAs: 'object' }),
    buildConnectWiseWebhook(contact, { action: 'deleted', keyUrl, variant: 'no-entity' })
  ]
  const report = await sendWebhooks({ psa: 'connectwise', targetUrl: hook.url, signingKey: sim.admin.signingKey(), events, retries: fast })
  t.same(report.deliveries.map((d) => d.status), [204, 204, 204, 204])
  t.equal(sim.admin.stats().signingKeyFetches, 1, 'the key was fetched once and cached')

  const parsed = hook.received.map((r) => parseConnectWiseWebhook(r.body))
  t.match(normaliseConnectWiseWebhook(parsed[0]!), { externalId: String(contact.id), firstName: contact.firstName, deleted: false })
  // a delete is a removal by ID with or without its Entity (spec §2.4): only the one without an email asks the PSA
  t.same(parsed.map((e) => connectWiseNeedsRefetch(e).refetch), [false, true, false, false], 'no email needs a refetch; a delete with nothing does not')

  const newKey = sim.admin.rotateSigningKey()
  const rotated = await sendWebhooks({ psa: 'connectwise', targetUrl: hook.url, signingKey: newKey, events: [events[0]!], retries: fast })
  t.equal(rotated.delivered, 1, 'after a rotation the fresh key is fetched')
  t.match(hook.received.at(-1)?.detail, { ok: true, refreshed: true })
  t.equal(sim.admin.stats().signingKeyFetches, 2)
})

t.test('a ConnectWise key_url on a host that is not allowed gets no request', async (t) => {
  const sim = await simulator(t)
  const { firstContactId } = sim.admin.generate({ contacts: 1 })
  const fetcher = createConnectWiseKeyFetcher() // ConnectWise cloud hosts only
  const hook = await receiver(t, async (raw, headers) => await verifyConnectWise(raw, headers, fetcher))
  const report = await sendWebhooks({
    psa: 'connectwise',
    targetUrl: hook.url,
    signingKey: sim.admin.signingKey(),
    retries: { attempts: 1 },
    events: [buildConnectWiseWebhook(sim.admin.getContact(firstContactId)!, { action: 'updated', keyUrl: sim.keyUrl() })]
  })
  t.equal(report.deliveries[0]?.status, 401)
  t.match(hook.received[0]?.detail, { ok: false, reason: 'key_url_not_allowed' })
  t.equal(sim.admin.stats().signingKeyFetches, 0)
  t.equal(sim.admin.stats().requests, 0, 'the simulator saw no request at all')
})

t.test('HaloPSA webhooks with Basic auth verify', async (t) => {
  const sim = await simulator(t)
  const { firstContactId } = sim.admin.generate({ contacts: 1 })
  const basic = { username: 'psa-webhook', password: 'Hx7:example-secret' }
  const hook = await receiver(t, (_raw, headers) => verifyHalo(headers, { type: 'basic', credentials: basic }))
  const contact = sim.admin.getContact(firstContactId)!
  const events = [buildHaloWebhook(contact, { action: 'create' }), buildHaloWebhook(contact, { action: 'delete' })]
  t.equal((await sendWebhooks({ psa: 'halopsa', targetUrl: hook.url, basic, events, retries: fast })).delivered, 2)
  t.same(hook.received.map((r) => parseHaloWebhook(r.body).action), ['create', 'delete'])
  const wrong = await sendWebhooks({ psa: 'halopsa', targetUrl: hook.url, basic: { ...basic, password: 'x' }, events, retries: { attempts: 1 } })
  t.same(wrong.deliveries.map((d) => d.status), [401, 401])
})

t.test('duplicates: every event arrives 1 + n times', async (t) => {
  const hook = await receiver(t, () => ({ ok: true }))
  const events = [0, 1, 2].map((n) => ({ n }))
  const report = await sendWebhooks({ psa: 'autotask', targetUrl: hook.url, secret: 's', events, duplicates: 2 })
  t.equal(report.deliveries.length, 9)
  const seen = hook.received.map((r) => (JSON.parse(r.body.toString()) as { n: number }).n)
  t.same(seen, [0, 0, 0, 1, 1, 1, 2, 2, 2])
  t.same(report.deliveries.map((d) => d.copy), [0, 1, 2, 0, 1, 2, 0, 1, 2])
  t.ok(new Set(hook.received.map((r) => r.headers['x-hook-signature'])).size === 3, 'a duplicate is byte-identical, signature included')
})

t.test('outOfOrder: the same events in another order, reproducible by seed', async (t) => {
  const hook = await receiver(t, () => ({ ok: true }))
  const events = Array.from({ length: 8 }, (_, n) => ({ n }))
  const first = await sendWebhooks({ psa: 'halopsa', targetUrl: hook.url, events, outOfOrder: true, seed: 42 })
  const order = hook.received.map((r) => (JSON.parse(r.body.toString()) as { n: number }).n)
  t.not(order.join(), '0,1,2,3,4,5,6,7')
  t.same([...order].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7])
  t.same(first.deliveries.map((d) => d.event), order, 'the report lists deliveries in the order they went out')
  await sendWebhooks({ psa: 'halopsa', targetUrl: hook.url, events, outOfOrder: true, seed: 42 })
  t.same(hook.received.slice(8).map((r) => (JSON.parse(r.body.toString()) as { n: number }).n), order, 'same seed, same order')
  const two = await sendWebhooks({ psa: 'halopsa', targetUrl: hook.url, events: [{ n: 0 }, { n: 1 }], outOfOrder: true })
  t.same(two.deliveries.map((d) => d.event), [1, 0], 'two events are always swapped')
})

t.test('failed deliveries are retried until a 2xx, and later events wait (one queue)', async (t) => {
  const hook = await receiver(t, () => ({ ok: true }), { failFirst: 2 })
  const report = await sendWebhooks({ psa: 'autotask', targetUrl: hook.url, secret: 's', events: [{ n: 0 }, { n: 1 }], retries: { attempts: 5, delayMs: 1 } })
  t.same(report.deliveries.map((d) => d.attempts), [[{ status: 500 }, { status: 500 }, { status: 204 }], [{ status: 204 }]])
  t.same(hook.received.map((r) => r.status), [500, 500, 204, 204])
  const custom = await sendWebhooks({
    psa: 'connectwise', targetUrl: hook.url, signingKey: 'k', events: [{ n: 2 }], retries: { attempts: 3, delayMs: 1, onStatus: (s) => s === 204 }
  })
  t.equal(custom.deliveries[0]?.attempts.length, 3, 'onStatus decides what counts as failed')
})

t.test('a delivery that times out is retried', async (t) => {
  const hook = await receiver(t, () => ({ ok: true }), { hangFirst: 1 })
  const report = await sendWebhooks({ psa: 'halopsa', targetUrl: hook.url, events: [{ n: 0 }], timeoutMs: 1500, retries: { attempts: 2, delayMs: 1 } })
  t.same(report.deliveries[0]?.attempts, [{ error: 'timeout' }, { status: 204 }])
  t.equal(report.delivered, 1)
})

t.test('a target that refuses connections is reported as such', async (t) => {
  const report = await sendWebhooks({ psa: 'halopsa', targetUrl: 'http://127.0.0.1:1/hook', events: [{ n: 0 }], retries: { attempts: 2, delayMs: 1 } })
  t.same(report.deliveries[0]?.attempts, [{ error: 'ECONNREFUSED' }, { error: 'ECONNREFUSED' }])
  t.same(report.deliveries[0]?.status, null)
})
