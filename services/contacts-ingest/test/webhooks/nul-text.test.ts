import { randomUUID } from 'node:crypto'
import t from 'tap'
import { buildConnectWiseWebhook } from '@m365/psa-simulator'
import { build, createConnection, putMapping, simulatorConnection, startSimulator, storedContacts } from '../helper.js'
import { processDelivery } from '../../src/webhooks/process.js'

t.test('a contact whose PSA text holds U+0000 (Postgres stores none) is stored without it', async (t) => {
  const sim = await startSimulator(t)
  const h = await build(t, { bus: 'in-process', env: { DELIVERY_POLL_MS: '60000' } })
  const conn = await createConnection(h.app, simulatorConnection(sim, 'connectwise'))
  const company = sim.admin.createCompany({ name: 'Fabrikam' })
  await putMapping(h.app, conn.id, [{ companyExternalId: String(company.id), clientId: randomUUID() }])
  const deps = { db: h.app.db, clients: h.app.psaClients, connections: h.app.connections }
  const ana = sim.admin.createContact({ companyId: company.id, firstName: 'Ana', lastName: 'Lima', emails: ['ana@fabrikam.example'] })
  const body = Buffer.from(JSON.stringify(buildConnectWiseWebhook({ ...ana, firstName: 'An\u0000a', title: '\u0000', emails: ['ana\u0000@fabrikam.example'] }, { action: 'added', keyUrl: sim.keyUrl() })))
  await processDelivery(deps, { id: randomUUID(), connectionId: conn.id, psa: 'connectwise', body, receivedAt: new Date() })
  t.match((await storedContacts(h, conn.id)).get(String(ana.id)), { first_name: 'Ana', title: null, emails: [{ address: 'ana@fabrikam.example' }], deleted: false })
})
