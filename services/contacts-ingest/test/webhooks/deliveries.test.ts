import { randomUUID } from 'node:crypto'
import t from 'tap'
import { sql } from 'drizzle-orm'
import { buildAutotaskWebhook, buildConnectWiseWebhook, buildHaloWebhook, sendWebhooks, type SimContact } from '@m365/psa-simulator'
import {
  build, createConnection, putMapping, simulatorConnection, startSimulator, storedContacts, waitFor, type Harness
} from '../helper.js'
import { storeDelivery } from '../../src/webhooks/deliveries.js'
import { deliveryKey } from '../../src/webhooks/payload.js'
import { startPsaProxy } from '../psa-proxy.js'
import { actual, expectedFrom, listen, settled, testWorker } from './helpers.js'

const fast = { attempts: 3, delayMs: 20 }

function deferred () {
  let settle = () => {}
  const promise = new Promise<void>((resolve) => { settle = resolve })
  return { promise, resolve: () => settle() }
}

/** The events consumers saw for one contact, in revision order. */
function eventsFor (h: Harness, externalId: string) {
  const up = h.events.upserted.filter((e) => e.data.contact.externalId === externalId).map((e) => ({ kind: 'upserted', revision: e.data.revision, clientId: e.data.clientId, data: e.data }))
  const del = h.events.deleted.filter((e) => e.data.externalId === externalId).map((e) => ({ kind: 'deleted', revision: e.data.revision, clientId: e.data.clientId, data: e.data }))
  return [...up, ...del].sort((a, b) => a.revision - b.revision)
}

t.test('Autotask: duplicated, shuffled and replayed deliveries end in the PSA\'s final state; a late update cannot resurrect', async (t) => {
  const sim = await startSimulator(t)
  const h = await build(t)
  const base = await listen(t, h)
  const secret = 'at-webhook-secret-1'
  const guid = randomUUID()
  const company = sim.admin.createCompany({ name: 'Contoso' })
  const clientId = randomUUID()
  const conn = await createConnection(h.app, simulatorConnection(sim, 'autotask', { webhookSecret: secret }))
  await putMapping(h.app, conn.id, [{ companyExternalId: String(company.id), clientId }])

  const events: object[] = []
  let seq = 0
  const hook = (c: SimContact, action: 'Create' | 'Update' | 'Delete') => events.push(buildAutotaskWebhook(c, { action, guid, sequenceNumber: (seq += 10) }))
  const dana = sim.admin.createContact({ companyId: company.id, firstName: 'Dana', lastName: 'Reyes', emails: ['dana@contoso.example'] })
  hook(dana, 'Create')
  hook(sim.admin.updateContact(dana.id, { firstName: 'Dana-Marie' }), 'Update')
  hook(sim.admin.updateContact(dana.id, { title: 'IT Manager', emails: ['dana@contoso.example', 'd.reyes@contoso.example'] }), 'Update')
  const lee = sim.admin.createContact({ companyId: company.id, firstName: 'Lee', lastName: "O'Brien & Sons", emails: ['lee@contoso.example'] })
  hook(lee, 'Create')
  const leeLastState = sim.admin.updateContact(lee.id, { title: 'CFO' })
  hook(leeLastState, 'Update')
  hook({ ...sim.admin.deleteContact(lee.id) }, 'Delete')

  const url = `${base}/webhooks/autotask/${conn.id}`
  const report = await sendWebhooks({ psa: 'autotask', secret, targetUrl: url, events, duplicates: 2, outOfOrder: true, seed: 7, retries: fast, concurrency: 4 })
  t.equal(report.failed, 0, 'every delivery got a 2xx')
  await settled(h)

  const stored = await storedContacts(h, conn.id)
  t.same(actual(stored.get(String(dana.id))), expectedFrom(sim.admin.getContact(dana.id)!), 'Dana as the PSA has her now')
  t.match(stored.get(String(lee.id)), { deleted: true, first_name: null }, 'Lee is a tombstone')
  const [{ n: deliveries } = { n: 0 }] = await h.query<{ n: number }>(sql`select count(*)::int as n from contacts_ingest.webhook_deliveries`)
  t.equal(deliveries, events.length, 'each distinct delivery stored once, its duplicates not at all')

  const leeEvents = eventsFor(h, String(lee.id))
  if (leeEvents.length > 0) t.equal(leeEvents.at(-1)?.kind, 'deleted', 'consumers that got Lee were told of the delete')
  const danaEvents = eventsFor(h, String(dana.id))
  t.ok(danaEvents.length >= 1)
  t.match(danaEvents.at(-1), { kind: 'upserted', clientId, data: { contact: { firstName: 'Dana-Marie', title: 'IT Manager' } } })
  t.same(new Set(danaEvents.map((e) => e.revision)).size, danaEvents.length, 'every event of a contact has its own revision')

  const revisions = new Map([...stored.values()].map((c) => [c.external_id, c.revision]))
  const published = h.events.upserted.length + h.events.deleted.length
  const replay = await sendWebhooks({ psa: 'autotask', secret, targetUrl: url, events, retries: fast })
  t.equal(replay.failed, 0)
  const late = await sendWebhooks({
    psa: 'autotask',
    secret,
    targetUrl: url,
    retries: fast,
    events: [buildAutotaskWebhook(leeLastState, { action: 'Update', guid, sequenceNumber: 55 })]
  })
  t.equal(late.delivered, 1)
  await settled(h)
  const after = await storedContacts(h, conn.id)
  t.same(new Map([...after.values()].map((c) => [c.external_id, c.revision])), revisions, 'a replay and a late update change nothing')
  t.match(after.get(String(lee.id)), { deleted: true })
  const [lateRow] = await h.query<{ outcome: string }>(sql`select outcome from contacts_ingest.webhook_deliveries where dedupe_key like ${`%:${lee.id}:55`}`)
  t.match(lateRow?.outcome, /refetched .*already-deleted/, 'the late update asked the PSA, which says the contact is gone')
  t.equal(h.events.upserted.length + h.events.deleted.length, published, 'no event was published again')
})

t.test('ConnectWise: callbacks without email or entity are completed from the REST API; shuffled duplicates settle right', async (t) => {
  const sim = await startSimulator(t)
  const h = await build(t, { env: { CONNECTWISE_KEY_HOSTS: sim.url } })
  const base = await listen(t, h)
  const company = sim.admin.createCompany({ name: 'Fabrikam' })
  const clientId = randomUUID()
  const conn = await createConnection(h.app, simulatorConnection(sim, 'connectwise'))
  await putMapping(h.app, conn.id, [{ companyExternalId: String(company.id), clientId }])
  const keyUrl = sim.keyUrl()

  const events: object[] = []
  const ana = sim.admin.createContact({ companyId: company.id, firstName: 'Ana', lastName: 'Lima', emails: ['ana@fabrikam.example'] })
  events.push(buildConnectWiseWebhook(ana, { action: 'added', keyUrl }))
  events.push(buildConnectWiseWebhook(sim.admin.updateContact(ana.id, { lastName: 'Lima-Souza' }), { action: 'updated', keyUrl, variant: 'no-email' }))
  events.push(buildConnectWiseWebhook(sim.admin.updateContact(ana.id, { title: 'Owner' }), { action: 'updated', keyUrl, entityAs: 'object' }))
  const ben = sim.admin.createContact({ companyId: company.id, firstName: 'Ben', lastName: 'Cho', emails: ['ben@fabrikam.example'] })
  events.push(buildConnectWiseWebhook(ben, { action: 'added', keyUrl }))
  const benBefore = sim.admin.updateContact(ben.id, { firstName: 'Benjamin' })
  events.push(buildConnectWiseWebhook(benBefore, { action: 'updated', keyUrl }))
  sim.admin.deleteContact(ben.id)
  events.push(buildConnectWiseWebhook(benBefore, { action: 'deleted', keyUrl, variant: 'no-entity' }))

  const report = await sendWebhooks({
    psa: 'connectwise',
    signingKey: sim.admin.signingKey(),
    targetUrl: `${base}/webhooks/connectwise/${conn.id}`,
    events,
    duplicates: 1,
    outOfOrder: true,
    seed: 3,
    retries: fast,
    concurrency: 3
  })
  t.equal(report.failed, 0)
  await settled(h)
  const stored = await storedContacts(h, conn.id)
  t.same(actual(stored.get(String(ana.id))), expectedFrom(sim.admin.getContact(ana.id)!, 10))
  t.match(stored.get(String(ben.id)), { deleted: true })
  t.ok(sim.admin.stats().signingKeyFetches >= 1)
  t.ok((sim.admin.stats().byRoute['GET /v4_6_release/apis/3.0/company/contacts/:id'] ?? 0) > 0, 'refetched by id')
  const benEvents = eventsFor(h, String(ben.id))
  if (benEvents.length > 0) t.equal(benEvents.at(-1)?.kind, 'deleted')
  t.match(eventsFor(h, String(ana.id)).at(-1), { kind: 'upserted', clientId, data: { contact: { lastName: 'Lima-Souza', title: 'Owner' } } })
})

t.test('HaloPSA: every hint is refetched; a delete is confirmed by 404', async (t) => {
  const sim = await startSimulator(t)
  const h = await build(t)
  const base = await listen(t, h)
  const company = sim.admin.createCompany({ name: 'Northwind' })
  const basic = { username: 'psa-webhook', password: 'halo-webhook-password' }
  const conn = await createConnection(h.app, simulatorConnection(sim, 'halopsa', { webhookSecret: basic.password, webhookAuth: { type: 'basic', username: basic.username } }))
  await putMapping(h.app, conn.id, [{ companyExternalId: String(company.id), clientId: randomUUID() }])
  const kim = sim.admin.createContact({ companyId: company.id, firstName: 'Kim', lastName: 'Ng', emails: ['kim@northwind.example'] })
  const sam = sim.admin.createContact({ companyId: company.id, firstName: 'Sam', lastName: 'Roe', emails: ['sam@northwind.example'] })
  const events = [
    buildHaloWebhook(kim, { action: 'create' }),
    buildHaloWebhook(sim.admin.updateContact(kim.id, { title: 'Buyer', active: false }), { action: 'update' }),
    buildHaloWebhook(sam, { action: 'create' }),
    buildHaloWebhook(sim.admin.deleteContact(sam.id), { action: 'delete' })
  ]
  const report = await sendWebhooks({ psa: 'halopsa', basic, targetUrl: `${base}/webhooks/halopsa/${conn.id}`, events, duplicates: 1, outOfOrder: true, retries: fast })
  t.equal(report.failed, 0)
  await settled(h)
  const stored = await storedContacts(h, conn.id)
  t.same(actual(stored.get(String(kim.id))), expectedFrom(sim.admin.getContact(kim.id)!))
  t.match(stored.get(String(sam.id)), { deleted: true })
})

t.test('while the PSA is down a delivery stays pending with a later next_attempt_at, and is processed when it is back', async (t) => {
  const sim = await startSimulator(t)
  const h = await build(t)
  const base = await listen(t, h)
  const company = sim.admin.createCompany({ name: 'Tailspin' })
  const secret = 'at-webhook-secret-2'
  const conn = await createConnection(h.app, simulatorConnection(sim, 'autotask', { webhookSecret: secret }))
  await putMapping(h.app, conn.id, [{ companyExternalId: String(company.id), clientId: randomUUID() }])
  const pat = sim.admin.createContact({ companyId: company.id, firstName: 'Pat', lastName: 'Kay', emails: ['pat@tailspin.example'] })
  await sim.admin.setDown(true, { mode: 'unavailable' })
  const report = await sendWebhooks({
    psa: 'autotask',
    secret,
    targetUrl: `${base}/webhooks/autotask/${conn.id}`,
    retries: fast,
    events: [buildAutotaskWebhook(pat, { action: 'Create', guid: randomUUID(), sequenceNumber: 1 })]
  })
  t.same(report.deliveries.map((d) => d.status), [202], 'answered at once, although the PSA is down')
  type Row = { status: string, attempts: number, next_attempt_at: Date, last_error: string | null }
  let row: Row | undefined
  await waitFor(async () => {
    [row] = await h.query<Row>(sql`select status, attempts, next_attempt_at, last_error from contacts_ingest.webhook_deliveries`)
    return (row?.attempts ?? 0) >= 2
  }, 'two failed attempts')
  t.equal(row?.status, 'pending')
  t.match(row?.last_error, /503/)
  t.equal((await storedContacts(h, conn.id)).size, 0, 'nothing applied yet')
  await sim.admin.setDown(false)
  await settled(h)
  t.same(actual((await storedContacts(h, conn.id)).get(String(pat.id))), expectedFrom(pat))
})

t.test('HaloPSA: a hint repeated while a worker fetches is not marked done by that worker with the older state', async (t) => {
  const sim = await startSimulator(t)
  const h = await build(t, { bus: 'in-process', env: { DELIVERY_POLL_MS: '600000' } })
  // A's answer is held until the test lets it go; B's fails (a reset) while `failB` is set
  const held = { a: deferred(), releaseA: deferred(), b: deferred(), releaseB: deferred() }
  let userGets = 0
  let failB = true
  const proxy = await startPsaProxy(t, sim.url, async (req) => {
    if (req.method !== 'GET' || !/^\/api\/Users\/\d+/.test(req.url ?? '')) return
    const n = ++userGets
    if (n === 1) {
      held.a.resolve()
      await held.releaseA.promise
    } else if (n === 2) {
      held.b.resolve()
      await held.releaseB.promise
    }
    if (n >= 2 && failB) throw new Error('reset')
  })
  const company = sim.admin.createCompany({ name: 'Litware' })
  const conn = await createConnection(h.app, simulatorConnection(sim, 'halopsa', { baseUrl: proxy, webhookSecret: 'halo-secret', webhookAuth: { type: 'bearer' } }))
  await putMapping(h.app, conn.id, [{ companyExternalId: String(company.id), clientId: randomUUID() }])
  const kim = sim.admin.createContact({ companyId: company.id, firstName: 'Kim', lastName: 'Ng', title: 'Old title' })
  const body = Buffer.from(JSON.stringify(buildHaloWebhook(kim, { action: 'update' })))
  const hint = { connectionId: conn.id, psa: 'halopsa' as const, dedupeKey: deliveryKey('halopsa', body).dedupeKey, body, headers: {} }

  const processed = { a: deferred(), b: deferred() }
  const failed = deferred()
  const worker = (name: 'a' | 'b') => testWorker(h, {
    log: h.app.log.child({ worker: name }),
    onProcessed: () => processed[name].resolve(),
    onFailed: () => failed.resolve()
  })
  const row = async () => (await h.query<{ status: string }>(sql`select status from contacts_ingest.webhook_deliveries`))[0]

  const stored = await storeDelivery(h.app.db, hint)
  const a = worker('a') // claims the hint and fetches Kim as she is now
  t.teardown(() => a.stop())
  await held.a.promise
  sim.admin.updateContact(kim.id, { title: 'New title' })
  t.same(await storeDelivery(h.app.db, hint), { id: stored.id, duplicate: false }, 'Halo sends the same hint again: armed again')
  const b = worker('b') // claims it again and fetches the newer state
  t.teardown(() => b.stop())
  await held.b.promise
  held.releaseA.resolve()
  await processed.a.promise
  t.match(await row(), { status: 'pending' }, 'A, done with the older state, does not mark the hint B holds as done')
  t.match((await storedContacts(h, conn.id)).get(String(kim.id)), { title: 'Old title' })

  held.releaseB.resolve()
  await failed.promise
  failB = false
  await waitFor(async () => {
    b.wake()
    return (await row())?.status === 'done'
  }, 'the hint processed again after B failed', 10_000)
  t.match((await storedContacts(h, conn.id)).get(String(kim.id)), { title: 'New title' }, 'the newer change is applied')
  await Promise.all([a.stop(), b.stop()])
})
