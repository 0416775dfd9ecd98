import t from 'tap'
import { createAutotaskClient, createConnectWiseClient, createHaloClient, resolveAutotaskZone, type NormalizedContact } from '@m365/psa'
import { collect, simulator } from './helpers.js'

const ids = (contacts: NormalizedContact[]) => contacts.map((c) => Number(c.externalId))

t.test('ConnectWise: paging through /company/contacts with the psa client', async (t) => {
  const sim = await simulator(t)
  const generated = sim.admin.generate({ seed: 7, companies: 4, contacts: 2345 })
  const client = createConnectWiseClient({ ...sim.clientOptions.connectwise, tenantKey: 'simmsp@sim' })
  const all = await collect(client.listContacts())
  t.equal(all.pages, 3, '1000 + 1000 + 345')
  t.same(ids(all.contacts), sim.admin.listContacts().map((c) => c.id))
  t.equal(sim.admin.stats().byRoute['GET /v4_6_release/apis/3.0/company/contacts'], 3)

  const small = await collect(client.listContacts({ pageSize: 100 }))
  t.equal(small.pages, 24)

  const company = generated.companies[1]!
  const some = await collect(client.listContacts({ companyIds: [company.id] }))
  t.same(ids(some.contacts), sim.admin.listContacts({ companyId: company.id }).map((c) => c.id))
  t.ok(some.contacts.every((c) => c.companyExternalId === String(company.id) && c.companyName === company.name))

  const recent = sim.admin.updateContact(generated.firstContactId + 5, { title: 'Changed' })
  const changed = await collect(client.listContacts({ updatedSince: new Date(Date.parse(recent.updatedAt) - 1000) }))
  t.same(ids(changed.contacts), [recent.id], 'lastUpdated>[...] finds the changed contact only')

  const contact = sim.admin.listContacts()[0]!
  const fetched = await client.getContact(contact.id)
  t.match(fetched, {
    psa: 'connectwise', tenantKey: 'simmsp@sim', externalId: String(contact.id), firstName: contact.firstName, active: contact.active
  })
  t.same(fetched?.emails.map((e) => e.address), contact.emails.map((e) => e.trim().toLowerCase()))
  sim.admin.deleteContact(contact.id)
  t.equal(await client.getContact(contact.id), null, 'a deleted contact is null')

  const wrong = createConnectWiseClient({ ...sim.clientOptions.connectwise, privateKey: 'wrong' })
  await t.rejects(wrong.getContact(1), { name: 'PsaHttpError', status: 401 })
  await t.rejects(collect(createConnectWiseClient({ ...sim.clientOptions.connectwise, clientId: 'other' }).listContacts()), { name: 'PsaHttpError', status: 401 })
})

t.test('Autotask: Contacts/query with nextPageUrl through the psa client', async (t) => {
  const sim = await simulator(t)
  const generated = sim.admin.generate({ seed: 8, companies: 3, contacts: 1234 })
  const zone = await resolveAutotaskZone(sim.credentials.autotask.username, { baseUrl: `${sim.url}/ATServicesRest` })
  t.equal(zone, `${sim.url}/ATServicesRest`)
  const client = createAutotaskClient({ ...sim.clientOptions.autotask, baseUrl: zone })
  const all = await collect(client.listContacts())
  t.equal(all.pages, 3, '500 + 500 + 234')
  t.same(ids(all.contacts), sim.admin.listContacts().map((c) => c.id))
  t.equal(sim.admin.stats().byRoute['POST /ATServicesRest/V1.0/Contacts/query/next'], 2, 'later pages re-POST to nextPageUrl')

  const companyIds = [generated.companies[0]!.id, generated.companies[2]!.id]
  const some = await collect(client.listContacts({ companyIds, pageSize: 200 }))
  t.same(ids(some.contacts), sim.admin.listContacts().filter((c) => companyIds.includes(c.company.id)).map((c) => c.id))
  t.ok(some.pages > 1)

  const recent = sim.admin.updateContact(generated.lastContactId, { active: false })
  const changed = await collect(client.listContacts({ updatedSince: new Date(Date.parse(recent.updatedAt) - 1) }))
  t.same(ids(changed.contacts), [recent.id])
  t.equal(changed.contacts[0]?.active, false)

  const fetched = await client.getContact(recent.id)
  t.match(fetched, { psa: 'autotask', externalId: String(recent.id), partial: false, active: false, updatedAt: recent.updatedAt })
  sim.admin.deleteContact(recent.id)
  t.equal(await client.getContact(recent.id), null, 'item: null means deleted')
  await t.rejects(createAutotaskClient({ ...sim.clientOptions.autotask, secret: 'nope' }).getContact(1), { name: 'PsaHttpError', status: 401 })
})

t.test('HaloPSA: /api/Users pages through the psa client', async (t) => {
  const sim = await simulator(t)
  const generated = sim.admin.generate({ seed: 9, companies: 3, contacts: 345, inactiveRatio: 0.2 })
  const client = createHaloClient({ ...sim.clientOptions.halopsa, tenantKey: 'sim-halo' })
  const all = await collect(client.listContacts())
  t.equal(all.pages, 4, '100 + 100 + 100 + 45')
  t.same(ids(all.contacts), sim.admin.listContacts().map((c) => c.id), 'inactive users included')
  t.ok(all.contacts.some((c) => c.active === false))
  t.equal(sim.admin.stats().byRoute['POST /auth/token'], 1, 'one token for the whole listing')

  const company = generated.companies[2]!
  const some = await collect(client.listContacts({ companyIds: [company.id], pageSize: 25 }))
  t.same(ids(some.contacts), sim.admin.listContacts({ companyId: company.id }).map((c) => c.id))

  const contact = sim.admin.listContacts()[3]!
  t.match(await client.getContact(contact.id), { psa: 'halopsa', externalId: String(contact.id), companyName: contact.company.name })
  sim.admin.deleteContact(contact.id)
  t.equal(await client.getContact(contact.id), null)
  await t.rejects(createHaloClient({ ...sim.clientOptions.halopsa, clientSecret: 'nope' }).getContact(1), { name: 'PsaHttpError', status: 401 })
})

t.test('HaloPSA: a page_size above Halo\'s cap is paged by the page_size Halo answered, to the last record', async (t) => {
  const sim = await simulator(t, { haloMaxPageSize: 100 })
  const generated = sim.admin.generate({ seed: 10, companies: 2, contacts: 345 })
  const client = createHaloClient(sim.clientOptions.halopsa)
  const all = await collect(client.listContacts({ pageSize: 1000 }))
  t.same(ids(all.contacts), sim.admin.listContacts().map((c) => c.id), 'every user, not only the first 100')
  t.equal(all.pages, 4, '100 + 100 + 100 + 45')
  t.equal(sim.admin.stats().byRoute['GET /api/Users'], 4, 'the short last page ends the listing')

  const company = generated.companies[0]!
  const some = await collect(client.listContacts({ companyIds: [company.id], pageSize: 1000 }))
  t.same(ids(some.contacts), sim.admin.listContacts({ companyId: company.id }).map((c) => c.id))
  t.ok(some.pages > 1)
})

t.test('HaloPSA: an expired token is renewed after a 401', async (t) => {
  const sim = await simulator(t)
  const { firstContactId } = sim.admin.generate({ contacts: 3 })
  const client = createHaloClient(sim.clientOptions.halopsa)
  t.ok(await client.getContact(firstContactId))
  sim.admin.expireHaloTokens()
  t.ok(await client.getContact(firstContactId), 'the 401 made the client get a new token and try again')
  t.equal(sim.admin.stats().byRoute['POST /auth/token'], 2)
  t.equal(sim.admin.stats().unauthorized, 1)
})
