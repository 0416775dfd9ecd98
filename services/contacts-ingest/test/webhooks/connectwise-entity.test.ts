import { randomUUID } from 'node:crypto'
import t from 'tap'
import { sql } from 'drizzle-orm'
import { buildConnectWiseWebhook } from '@m365/psa-simulator'
import { build, createConnection, putMapping, simulatorConnection, startSimulator, storedContacts } from '../helper.js'
import { processDelivery, type StoredDelivery } from '../../src/webhooks/process.js'

/** A ConnectWise callback body whose Entity says it was last updated at `lastUpdated`. */
function withLastUpdated (event: Record<string, unknown>, lastUpdated: string): Buffer {
  const entity = JSON.parse(event.Entity as string) as Record<string, unknown>
  return Buffer.from(JSON.stringify({ ...event, Entity: JSON.stringify({ ...entity, _info: { lastUpdated } }) }))
}

t.test('ConnectWise: a future _info.lastUpdated is stored as at most receipt + 5 minutes, so a later real update applies', async (t) => {
  const sim = await startSimulator(t)
  const h = await build(t, { bus: 'in-process', env: { DELIVERY_POLL_MS: '60000' } })
  const conn = await createConnection(h.app, simulatorConnection(sim, 'connectwise'))
  const company = sim.admin.createCompany({ name: 'Fabrikam' })
  await putMapping(h.app, conn.id, [{ companyExternalId: String(company.id), clientId: randomUUID() }])
  const deps = { db: h.app.db, clients: h.app.psaClients, connections: h.app.connections }
  const keyUrl = sim.keyUrl()
  const ana = sim.admin.createContact({ companyId: company.id, firstName: 'Ana', lastName: 'Lima', emails: ['ana@fabrikam.example'] })
  const delivery = (body: Buffer, receivedAt: Date): StoredDelivery => ({ id: randomUUID(), connectionId: conn.id, psa: 'connectwise', body, receivedAt })

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
  const sim = await startSimulator(t)
  const h = await build(t, { bus: 'in-process', env: { DELIVERY_POLL_MS: '60000' } })
  const { credentials: _, ...noCredentials } = simulatorConnection(sim, 'connectwise')
  const conn = await createConnection(h.app, noCredentials)
  const company = sim.admin.createCompany({ name: 'Fabrikam' })
  await putMapping(h.app, conn.id, [{ companyExternalId: String(company.id), clientId: randomUUID() }])
  const deps = { db: h.app.db, clients: h.app.psaClients, connections: h.app.connections }
  const keyUrl = sim.keyUrl()
  const ana = sim.admin.createContact({ companyId: company.id, firstName: 'Ana', lastName: 'Lima', emails: ['ana@fabrikam.example'] })
  const delivery = (event: object): StoredDelivery => ({ id: randomUUID(), connectionId: conn.id, psa: 'connectwise', body: Buffer.from(JSON.stringify(event)), receivedAt: new Date() })

  await processDelivery(deps, delivery(buildConnectWiseWebhook(ana, { action: 'added', keyUrl })))
  t.match((await storedContacts(h, conn.id)).get(String(ana.id)), { deleted: false })
  await processDelivery(deps, delivery(buildConnectWiseWebhook(ana, { action: 'deleted', keyUrl, variant: 'no-entity' })))
  t.match((await storedContacts(h, conn.id)).get(String(ana.id)), { deleted: true })
})
