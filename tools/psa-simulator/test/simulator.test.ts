import t from 'tap'
import { request } from 'undici'
import { createConnectWiseClient, normaliseConnectWiseContact, parseConnectWiseContact } from '@m365/psa'
import { startPsaSimulator } from '@m365/psa-simulator'
import { collect, simulator } from './helpers.js'

t.test('the generator is deterministic', async (t) => {
  const a = await simulator(t)
  const b = await simulator(t)
  a.admin.generate({ seed: 3, companies: 5, contacts: 500 })
  b.admin.generate({ seed: 3, companies: 5, contacts: 500 })
  t.same(a.admin.listContacts(), b.admin.listContacts())
  t.same(a.admin.listCompanies(), b.admin.listCompanies())
  const c = await simulator(t)
  c.admin.generate({ seed: 4, companies: 5, contacts: 500 })
  t.not(JSON.stringify(c.admin.listContacts()), JSON.stringify(a.admin.listContacts()))
  const contacts = a.admin.listContacts()
  t.ok(contacts.some((x) => !x.active) && contacts.some((x) => x.emails.length === 0) && contacts.some((x) => x.emails.length === 3))
})

t.test('50 000 contacts page through the ConnectWise API', async (t) => {
  const sim = await simulator(t)
  const generated = sim.admin.generate({ seed: 1, companies: 200, contacts: 50_000 })
  t.equal(generated.contactCount, 50_000)
  t.equal(sim.admin.stats().contacts, 50_000)
  const all = await collect(createConnectWiseClient(sim.clientOptions.connectwise).listContacts())
  t.equal(all.pages, 50)
  t.equal(all.contacts.length, 50_000)
  t.equal(new Set(all.contacts.map((c) => c.externalId)).size, 50_000)
})

t.test('updates bump updatedAt and show in every API; deletes disappear', async (t) => {
  const sim = await simulator(t)
  const company = sim.admin.createCompany({ name: 'Fabrikam Inc' })
  const created = sim.admin.createContact({ companyId: company.id, firstName: 'Lee', lastName: 'Chan', emails: ['lee@fabrikam.example'] })
  const updated = sim.admin.updateContact(created.id, { title: 'CFO', emails: ['LEE.CHAN@fabrikam.example', 'lee@fabrikam.example'] })
  t.ok(updated.updatedAt > created.updatedAt)
  const other = sim.admin.createCompany({ name: 'Northwind' })
  t.equal(sim.admin.updateContact(created.id, { companyId: other.id }).company.name, 'Northwind')
  sim.admin.updateCompany(other.id, { name: 'Northwind Traders' })
  const cw = sim.clientOptions.connectwise
  const auth = { authorization: `Basic ${Buffer.from(`${cw.companyId}+${cw.publicKey}:${cw.privateKey}`).toString('base64')}`, clientid: cw.clientId }
  const res = await request(`${cw.baseUrl}/company/contacts/${created.id}`, { headers: auth })
  const contact = normaliseConnectWiseContact(parseConnectWiseContact(await res.body.json()))
  t.match(contact, { title: 'CFO', companyName: 'Northwind Traders', emails: [{ address: 'lee.chan@fabrikam.example', primary: true }, { address: 'lee@fabrikam.example' }] })
  const deleted = sim.admin.deleteContact(created.id)
  t.ok(deleted.deletedAt >= sim.admin.getDeletedContact(created.id)!.updatedAt)
  t.equal(sim.admin.getContact(created.id), undefined)
  t.equal((await request(`${cw.baseUrl}/company/contacts/${created.id}`, { headers: auth })).statusCode, 404)
  t.throws(() => sim.admin.updateContact(created.id, { title: 'x' }), /does not exist/)
  t.throws(() => sim.admin.createContact({ companyId: 999, firstName: 'a', lastName: 'b' }), /company 999 does not exist/)
})

t.test('ConnectWise conditions and Autotask filters the simulator understands', async (t) => {
  const sim = await simulator(t)
  const { companies } = sim.admin.generate({ seed: 5, companies: 3, contacts: 300 })
  const cw = sim.clientOptions.connectwise
  const cwHeaders = { authorization: `Basic ${Buffer.from(`${cw.companyId}+${cw.publicKey}:${cw.privateKey}`).toString('base64')}`, clientid: cw.clientId }
  const cwCount = async (conditions: string) => {
    const res = await request(`${cw.baseUrl}/company/contacts/count?conditions=${encodeURIComponent(conditions)}`, { headers: cwHeaders })
    return [res.statusCode, await res.body.json()] as const
  }
  const byCompany = sim.admin.listContacts({ companyId: companies[0]!.id }).length
  t.same(await cwCount(`company/id=${companies[0]!.id}`), [200, { count: byCompany }])
  t.same(await cwCount(`company/id in (${companies[0]!.id}) and inactiveFlag=false`),
    [200, { count: sim.admin.listContacts({ companyId: companies[0]!.id }).filter((c) => c.active).length }])
  t.same(await cwCount('id>=290 and id<=300'), [200, { count: 11 }])
  t.same(await cwCount('lastName like "O*"'), [200, { count: sim.admin.listContacts().filter((c) => c.lastName.startsWith('O')).length }])
  t.equal((await cwCount('bogus=1'))[0], 400)

  const at = sim.clientOptions.autotask
  const atHeaders = { apiintegrationcode: at.integrationCode, username: at.username, secret: at.secret, 'content-type': 'application/json' }
  const atQuery = async (query: unknown) => {
    const res = await request(`${at.baseUrl}/V1.0/Contacts/query`, { method: 'POST', headers: atHeaders, body: JSON.stringify(query) })
    return [res.statusCode, await res.body.json()] as const
  }
  const [status, body] = await atQuery({ MaxRecords: 10, IncludeFields: ['firstName'], filter: [{ op: 'or', items: [{ op: 'eq', field: 'id', value: 3 }, { op: 'eq', field: 'ID', value: 5 }] }] })
  t.equal(status, 200)
  t.same((body as { items: unknown[] }).items, [{ id: 3, firstName: sim.admin.getContact(3)!.firstName }, { id: 5, firstName: sim.admin.getContact(5)!.firstName }])
  t.equal((await atQuery({ MaxRecords: 501, filter: [{ op: 'gt', field: 'id', value: 0 }] }))[0], 400)
  t.equal((await atQuery({ MaxRecords: 5 }))[0], 400, 'a filter is required')
  t.equal((await atQuery({ filter: [{ op: 'eq', field: 'nope', value: 1 }] }))[0], 400)
  const search = encodeURIComponent(JSON.stringify({ filter: [{ op: 'beginsWith', field: 'lastName', value: 'o' }] }))
  const viaGet = await request(`${at.baseUrl}/V1.0/Contacts/query?search=${search}`, { headers: atHeaders })
  t.equal(((await viaGet.body.json()) as { items: unknown[] }).items.length, sim.admin.listContacts().filter((c) => /^o/i.test(c.lastName)).length)
})

t.test('stats count requests per PSA, route and status', async (t) => {
  const sim = await simulator(t)
  sim.admin.generate({ contacts: 2 })
  const client = createConnectWiseClient(sim.clientOptions.connectwise)
  await client.getContact(1)
  await client.getContact(99) // 404, then the list asked for id 99 confirms the deletion
  await request(`${sim.url}/api/Users`)
  const stats = sim.admin.stats()
  t.match(stats, {
    requests: 4,
    byPsa: { connectwise: 3, halopsa: 1, autotask: 0, other: 0 },
    byRoute: { 'GET /v4_6_release/apis/3.0/company/contacts/:id': 2, 'GET /v4_6_release/apis/3.0/company/contacts': 1, 'GET /api/Users': 1 },
    byStatus: { 200: 2, 404: 1, 401: 1 },
    unauthorized: 1,
    contacts: 2
  })
  sim.admin.resetStats()
  t.equal(sim.admin.stats().requests, 0)
})

t.test('listens on the port asked for and closes cleanly', async (t) => {
  const first = await startPsaSimulator()
  const port = Number(new URL(first.url).port)
  await first.close()
  const again = await startPsaSimulator({ port, credentials: { autotask: { secret: 'custom' } } })
  t.equal(again.url, `http://127.0.0.1:${port}`)
  t.equal(again.clientOptions.autotask.secret, 'custom')
  t.equal(again.clientOptions.autotask.username, 'api-user@sim.example')
  await again.close()
})
