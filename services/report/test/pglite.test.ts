import t from 'tap'
import Fastify from 'fastify'
import fp from 'fastify-plugin'
import { ClientCreated, createEvent, ClientDeleted } from '@m365/contracts'
import { createInProcessBus } from '@m365/bus'
import { createTestPglite } from '@m365/db/testing'
import { loadConfig } from '@m365/service-kit'
import reportApp, { ReportConfig } from '../src/index.js'
import { MSP, waitFor } from './helper.js'
import { allRows, connectTenant, contact, createClient, createReport, createVersion, E3, sku, syncTenant, upsertContact, user } from './fixtures.js'

t.test('single-process mode: embedded PGlite and the in-process bus', async (t) => {
  const { handle } = await createTestPglite(t)
  const bus = createInProcessBus()
  const app = Fastify({ logger: false })
  await app.register(fp(reportApp), { config: loadConfig(ReportConfig, { LOG_LEVEL: 'silent', OUTBOX_POLL_MS: '50', VERSION_BUILD_POLL_MS: '50' }), db: handle, bus })
  await app.ready()
  t.teardown(async () => { await app.close(); await bus.close() })

  const created: string[] = []
  await bus.consume(ClientCreated, { durable: 'test-created' }, async (event) => { created.push(event.data.clientId) })
  const clientId = await createClient(app)
  await waitFor(() => created.includes(clientId), 'ClientCreated')
  const tenantId = await connectTenant(app, clientId)
  await syncTenant(app, { tenantId, clientId, users: [user({ displayName: 'Ann', mail: 'ann@contoso.com', licenses: [E3] }), user({ displayName: 'Bob' })], skus: [sku(E3, 2, 1)] })
  await upsertContact(app, clientId, contact({ email: 'ann@contoso.com', firstName: 'Ann', lastName: 'C' }))
  const reportId = await createReport(app, clientId)
  const versions = await Promise.all([createVersion(app, reportId), createVersion(app, reportId)])
  t.same(versions.map((v) => v.number).sort(), [1, 2])
  t.match(versions[0], { status: 'ready', rowCount: 2, licenseSummary: [{ total: 2, assigned: 1 }], mergeStats: { matched: 1 } })
  const rows = await allRows(app, versions[0]!.id)
  t.match(rows.items[0], { values: { displayName: 'Ann', contactName: 'Ann C', matchedBy: 'mail' } })
  const csv = await app.inject({ url: `/v1/report-versions/${versions[0]!.id}/rows`, headers: { ...MSP, accept: 'text/csv' } })
  t.equal(csv.body.split('\r\n').length, 4, 'header, two rows, final break')
  const diff = await app.inject({ url: `/v1/report-versions/${versions[1]!.id}/diff?against=${versions[0]!.id}`, headers: MSP })
  t.equal(diff.statusCode, 200)
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/clients/${clientId}`, headers: MSP })).statusCode, 204)
  await bus.publish(ClientDeleted, createEvent(ClientDeleted, { clientId, deletedAt: new Date().toISOString() }))
  t.equal((await app.inject({ url: `/v1/clients/${clientId}/office365/users`, headers: MSP })).statusCode, 404)
})
