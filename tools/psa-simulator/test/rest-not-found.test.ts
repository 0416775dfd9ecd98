import t from 'tap'
import { createAutotaskClient, createConnectWiseClient, createHaloClient } from '@m365/psa'
import { simulator } from './helpers.js'

// A 404 on get-by-id is "deleted" only when the PSA's API is there: a wrong base URL (an outdated ConnectWise codebase,
// specs/psa-webhooks.md §2.5; a wrong Autotask zone path; a Halo resource URL with /api twice) answers 404 for every
// contact, and taking that for a deletion tombstoned each contact a webhook or a backfill asked about.

t.test('ConnectWise: a 404 from an outdated codebase is an error; a deleted contact is still null', async (t) => {
  const sim = await simulator(t)
  const { firstContactId } = sim.admin.generate({ contacts: 3 })
  const stale = createConnectWiseClient({ ...sim.clientOptions.connectwise, baseUrl: `${sim.url}/v2019_3/apis/3.0` })
  await t.rejects(stale.getContact(firstContactId), { name: 'PsaHttpError', status: 404 })
  const client = createConnectWiseClient(sim.clientOptions.connectwise)
  t.match(await client.getContact(firstContactId), { externalId: String(firstContactId) })
  sim.admin.deleteContact(firstContactId)
  t.equal(await client.getContact(firstContactId), null)
})

t.test('Autotask: a 404 from a wrong zone path is an error; item null is still a deletion', async (t) => {
  const sim = await simulator(t)
  const { firstContactId } = sim.admin.generate({ contacts: 3 })
  const wrong = createAutotaskClient({ ...sim.clientOptions.autotask, baseUrl: `${sim.url}/ATServicesRest/V1.0` })
  await t.rejects(wrong.getContact(firstContactId), { name: 'PsaHttpError', status: 404 })
  const client = createAutotaskClient(sim.clientOptions.autotask)
  sim.admin.deleteContact(firstContactId)
  t.equal(await client.getContact(firstContactId), null)
})

t.test('HaloPSA: a 404 from a wrong resource URL is an error; a deleted user is still null', async (t) => {
  const sim = await simulator(t)
  const { firstContactId } = sim.admin.generate({ contacts: 3 })
  const wrong = createHaloClient({ ...sim.clientOptions.halopsa, baseUrl: `${sim.url}/api`, authUrl: `${sim.url}/auth` })
  await t.rejects(wrong.getContact(firstContactId), { name: 'PsaHttpError', status: 404 })
  const client = createHaloClient(sim.clientOptions.halopsa)
  sim.admin.deleteContact(firstContactId)
  t.equal(await client.getContact(firstContactId), null)
  t.equal(await client.getContact(firstContactId + 1000), null, 'an id that never existed')
})
