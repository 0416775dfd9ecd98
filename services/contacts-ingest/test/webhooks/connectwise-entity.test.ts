import { randomUUID } from 'node:crypto'
import t, { type Test } from 'tap'
import { sql } from 'drizzle-orm'
import { buildConnectWiseWebhook } from '@m365/psa-simulator'
import { build, createConnection, putMapping, simulatorConnection, startSimulator, storedContacts } from '../helper.js'
import { processDelivery, type StoredDelivery } from '../../src/webhooks/process.js'

/** A ConnectWise connection to the simulator (with REST credentials or none), one mapped company, and a worker's deps. */
async function connectWise (t: Test, options: { credentials: boolean }) {
  const sim = await startSimulator(t)
  const h = await build(t, { bus: 'in-process', env: { DELIVERY_POLL_MS: '60000' } })
  const { credentials, ...noCredentials } = simulatorConnection(sim, 'connectwise')
  const conn = await createConnection(h.app, options.credentials ? { ...noCredentials, credentials } : noCredentials)
  const company = sim.admin.createCompany({ name: 'Fabrikam' })
  await putMapping(h.app, conn.id, [{ companyExternalId: String(company.id), clientId: randomUUID() }])
  const deps = { db: h.app.db, clients: h.app.psaClients, connections: h.app.connections }
  const delivery = (body: Buffer, receivedAt = new Date()): StoredDelivery => ({ id: randomUUID(), connectionId: conn.id, psa: 'connectwise', body, receivedAt })
  return { sim, h, conn, company, deps, delivery, keyUrl: sim.keyUrl() }
}

/** A ConnectWise callback body whose Entity says it was last updated at `lastUpdated`. */
function withLastUpdated (event: Record<string, unknown>, lastUpdated: string): Buffer {
  const entity = JSON.parse(event.Entity as string) as Record<string, unknown>
  return Buffer.from(JSON.stringify({ ...event, Entity: JSON.stringify({ ...entity, _info: { lastUpdated } }) }))
}

t.test('ConnectWise: a future _info.lastUpdated is stored as at most receipt + 5 minutes, so a later real update applies', async (t) => {
  const { sim, h, conn, company, deps, delivery, keyUrl } = await connectWise(t, { credentials: true })
  const ana = sim.admin.createContact({ companyId: company.id, firstName: 'Ana', lastName: 'Lima', emails: ['ana@fabrikam.example'] })

  const hourAgo = new Date(Date.now() - 3600_000)
  const pinned = withLastUpdated(buildConnectWiseWebhook({ ...ana, firstName: 'Mallory' }, { action: 'updated', keyUrl }), '2099-01-01T00:00:00Z')
  await processDelivery(deps, delivery(pinned, hourAgo))
  const [row] = await h.query<{ at: string }>(sql`select psa_updated_at::text as at from contacts_ingest.contacts where connection_id = ${conn.id}`)
  t.ok(row !== undefined && Date.parse(row.at) <= hourAgo.getTime() + 5 * 60_000, `stored ${row?.at}, not 2099`)

  const real = withLastUpdated(buildConnectWiseWebhook(ana, { action: 'updated', keyUrl }), new Date(Date.now() - 600_000).toISOString())
  await processDelivery(deps, delivery(real, new Date()))
  t.match((await storedContacts(h, conn.id)).get(String(ana.id)), { first_name: 'Ana', deleted: false }, 'the real update applied')
})

t.test('ConnectWise: a verified delete without Entity removes the contact by ID without REST credentials', async (t) => {
  const { sim, h, conn, company, deps, delivery, keyUrl } = await connectWise(t, { credentials: false })
  const ana = sim.admin.createContact({ companyId: company.id, firstName: 'Ana', lastName: 'Lima', emails: ['ana@fabrikam.example'] })
  const json = (event: object) => Buffer.from(JSON.stringify(event))

  await processDelivery(deps, delivery(json(buildConnectWiseWebhook(ana, { action: 'added', keyUrl }))))
  t.match((await storedContacts(h, conn.id)).get(String(ana.id)), { deleted: false })
  await processDelivery(deps, delivery(json(buildConnectWiseWebhook(ana, { action: 'deleted', keyUrl, variant: 'no-entity' }))))
  t.match((await storedContacts(h, conn.id)).get(String(ana.id)), { deleted: true })
})

t.test('a contact whose PSA text holds U+0000 (Postgres stores none) is stored without it', async (t) => {
  const { sim, h, conn, company, deps, delivery, keyUrl } = await connectWise(t, { credentials: true })
  const ana = sim.admin.createContact({ companyId: company.id, firstName: 'Ana', lastName: 'Lima', emails: ['ana@fabrikam.example'] })
  const poisoned = { ...ana, firstName: 'An\u0000a', title: '\u0000', emails: ['ana\u0000@fabrikam.example'] }
  await processDelivery(deps, delivery(Buffer.from(JSON.stringify(buildConnectWiseWebhook(poisoned, { action: 'added', keyUrl })))))
  t.match((await storedContacts(h, conn.id)).get(String(ana.id)), { first_name: 'Ana', title: null, emails: [{ address: 'ana@fabrikam.example' }], deleted: false })
})
