import { createHmac, randomUUID } from 'node:crypto'
import t from 'tap'
import { ClientDeleted, createEvent } from '@m365/contracts'
import { buildAutotaskWebhook, type SimContact } from '@m365/psa-simulator'
import { handleClientDeleted } from '../../src/index.js'
import {
  build, createConnection, headersFor, putMapping, rowCounts, simulatorConnection, startSimulator, storedContacts, waitFor, type Harness
} from '../helper.js'
import { settled } from '../webhooks/helpers.js'

const secret = 'at-mapping-secret'
const guid = randomUUID()
let seq = 0

async function webhook (h: Harness, connectionId: string, contact: SimContact) {
  const body = JSON.stringify(buildAutotaskWebhook(contact, { action: 'Update', guid, sequenceNumber: ++seq }))
  const signature = `sha1=${createHmac('sha1', secret).update(body).digest('base64')}`
  const res = await h.app.inject({
    method: 'POST', url: `/webhooks/autotask/${connectionId}`, payload: body, headers: { 'content-type': 'application/json', 'x-hook-signature': signature }
  })
  if (res.statusCode !== 202) throw new Error(`webhook answered ${res.statusCode}: ${res.body}`)
}

const published = (h: Harness) => h.events.upserted.map((e) => [e.data.contact.externalId, e.data.clientId, e.data.revision])
const withdrawn = (h: Harness) => h.events.deleted.map((e) => [e.data.externalId, e.data.clientId, e.data.revision])

t.test('contacts of unmapped companies are kept, not published; a mapping change publishes the company\'s contacts again', async (t) => {
  const sim = await startSimulator(t)
  const h = await build(t)
  const [a, b] = [sim.admin.createCompany({ name: 'Alpha' }), sim.admin.createCompany({ name: 'Beta' })]
  const a1 = sim.admin.createContact({ companyId: a.id, firstName: 'A', lastName: 'One', emails: ['a1@alpha.example'] })
  const a2 = sim.admin.createContact({ companyId: a.id, firstName: 'A', lastName: 'Two', emails: ['a2@alpha.example'] })
  const b1 = sim.admin.createContact({ companyId: b.id, firstName: 'B', lastName: 'One', emails: ['b1@beta.example'] })
  const conn = await createConnection(h.app, simulatorConnection(sim, 'autotask', { webhookSecret: secret }))
  for (const c of [a1, a2, b1]) await webhook(h, conn.id, c)
  await settled(h)
  const kept = await storedContacts(h, conn.id)
  t.equal(kept.size, 3, 'all three kept')
  t.ok([...kept.values()].every((c) => c.client_id === null))
  t.same(published(h), [], 'nothing published for unmapped companies')

  const list = await h.app.inject({ url: `/v1/psa-connections/${conn.id}/companies`, headers: headersFor() })
  t.same(list.json().items, [
    { companyExternalId: String(a.id), companyName: null, clientId: null, contacts: 2 },
    { companyExternalId: String(b.id), companyName: null, clientId: null, contacts: 1 }
  ].sort((x, y) => x.companyExternalId.localeCompare(y.companyExternalId)))

  const [client1, client2] = [randomUUID(), randomUUID()]
  t.equal((await putMapping(h.app, conn.id, [{ companyExternalId: String(a.id), clientId: client1 }])).republished, 2)
  await settled(h)
  t.same(published(h).map(([id, client]) => [id, client]).sort(), [[String(a1.id), client1], [String(a2.id), client1]].sort())

  t.equal((await putMapping(h.app, conn.id, [
    { companyExternalId: String(a.id), clientId: client2 }, { companyExternalId: String(b.id), clientId: client1 }
  ])).republished, 3)
  await settled(h)
  const latest = (id: number) => h.events.upserted.filter((e) => e.data.contact.externalId === String(id)).at(-1)?.data
  t.match(latest(a1.id), { clientId: client2, revision: 3 }, 'moved to the new client with a newer revision')
  t.match(latest(b1.id), { clientId: client1 })

  t.equal((await putMapping(h.app, conn.id, [{ companyExternalId: String(b.id), clientId: client1 }])).republished, 2)
  await settled(h)
  t.same(withdrawn(h).map(([id, client]) => [id, client]).sort(), [[String(a1.id), client2], [String(a2.id), client2]].sort(),
    'the client that held them is told they are gone')

  const before = h.events.upserted.length
  await webhook(h, conn.id, sim.admin.updateContact(a1.id, { title: 'Unmapped now' }))
  await webhook(h, conn.id, sim.admin.updateContact(b1.id, { title: 'Mapped' }))
  await settled(h)
  t.same(h.events.upserted.slice(before).map((e) => [e.data.contact.externalId, e.data.contact.title]), [[String(b1.id), 'Mapped']])
  t.equal((await storedContacts(h, conn.id)).get(String(a1.id))?.title, 'Unmapped now', 'still kept up to date')

  const del = await h.app.inject({ method: 'DELETE', url: `/v1/psa-connections/${conn.id}`, headers: headersFor() })
  t.equal(del.statusCode, 204)
  await waitFor(() => h.events.deleted.some((e) => e.data.externalId === String(b1.id)), 'b1 withdrawn with the connection')
  t.same(await rowCounts(h), { deliveries: 0, contacts: 0, outbox: (await rowCounts(h)).outbox, connections: 0, mappings: 0, backfills: 0 })
})

t.test('bad mappings are 400 naming the field and change nothing', async (t) => {
  const h = await build(t, { bus: 'in-process' })
  const conn = await createConnection(h.app, { psa: 'autotask', name: 'at', baseUrl: 'https://webservices5.autotask.net/ATServicesRest' })
  await putMapping(h.app, conn.id, [{ companyExternalId: '1', clientId: randomUUID() }])
  const before = await rowCounts(h)
  const cases: Array<[unknown, RegExp]> = [
    [{ companies: [{ companyExternalId: '1', clientId: randomUUID() }, { companyExternalId: '1', clientId: randomUUID() }] }, /body\/companies\/1\/companyExternalId/],
    [{ companies: [{ companyExternalId: '2', clientId: 'not-a-uuid' }] }, /body\/companies\/0\/clientId/],
    [{ companies: [{ companyExternalId: '', clientId: randomUUID() }] }, /body\/companies\/0\/companyExternalId/],
    [{}, /body.*companies/]
  ]
  for (const [payload, detail] of cases) {
    const res = await h.app.inject({ method: 'PUT', url: `/v1/psa-connections/${conn.id}/companies`, headers: headersFor(), payload: payload as object })
    t.equal(res.statusCode, 400)
    t.match(res.json().detail, detail)
  }
  const unknown = await h.app.inject({ method: 'PUT', url: `/v1/psa-connections/${randomUUID()}/companies`, headers: headersFor(), payload: { companies: [] } })
  t.equal(unknown.statusCode, 404)
  t.same(await rowCounts(h), before)
})

t.test('client.deleted drops the client\'s mappings and unpublishes its contacts, once', async (t) => {
  const sim = await startSimulator(t)
  const h = await build(t)
  const company = sim.admin.createCompany({ name: 'Gamma' })
  const c = sim.admin.createContact({ companyId: company.id, firstName: 'G', lastName: 'One', emails: ['g@gamma.example'] })
  const conn = await createConnection(h.app, simulatorConnection(sim, 'autotask', { webhookSecret: secret }))
  const clientId = randomUUID()
  await putMapping(h.app, conn.id, [{ companyExternalId: String(company.id), clientId }])
  await webhook(h, conn.id, c)
  await settled(h)
  t.equal((await storedContacts(h, conn.id)).get(String(c.id))?.client_id, clientId)
  const event = createEvent(ClientDeleted, { clientId, deletedAt: new Date().toISOString() })
  await h.bus.publish(ClientDeleted, event)
  await waitFor(async () => (await rowCounts(h)).mappings === 0, 'mapping dropped by the consumer')
  await handleClientDeleted(h.app.db, event)
  t.equal((await storedContacts(h, conn.id)).get(String(c.id))?.client_id, null)
  t.equal(h.events.deleted.length, 0, 'report purges the client itself: no events')
})
