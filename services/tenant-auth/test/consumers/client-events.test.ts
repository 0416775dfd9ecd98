import { randomUUID } from 'node:crypto'
import t from 'tap'
import { eq, sql } from 'drizzle-orm'
import { ClientCreated, ClientDeleted, createEvent, TokenRequest } from '@m365/contracts'
import { queryRows } from '@m365/db'
import { handleClientDeleted } from '../../src/consumers/client-deleted.js'
import { clients, connectAttempts, tenantCredentials, tenants } from '../../src/db/schema.js'
import { asMsp, build, connectTenant, headersFor, startConnect, startSimulator, waitFor } from '../helper.js'

const created = (clientId: string, name = 'Northwind Dental') => createEvent(ClientCreated, { clientId, name, createdAt: new Date().toISOString() })
const deleted = (clientId: string) => createEvent(ClientDeleted, { clientId, deletedAt: new Date().toISOString() })

t.test('client.created makes a client connectable; client.deleted purges its rows and disconnects its tenants', async (t) => {
  const simulator = await startSimulator(t)
  const h = await build(t, simulator)
  const clientId = randomUUID()
  t.equal((await startConnect(h.app, clientId)).statusCode, 404, 'unknown before report announces it')
  await h.bus.publish(ClientCreated, created(clientId))
  await waitFor(async () => (await h.app.db.select().from(clients).where(eq(clients.clientId, clientId))).length === 1, 'the client')
  const ownApp = { clientId: randomUUID(), clientSecret: 'own' }
  simulator.sim.admin.registerApp(ownApp)
  const connected = simulator.sim.admin.createTenant({ displayName: 'Connected Co', userCount: 1, consentedClientIds: [ownApp.clientId] }).tenantId
  const gone = simulator.sim.admin.createTenant({ displayName: 'Gone Co', userCount: 1 }).tenantId
  await connectTenant(h, simulator, clientId, connected)
  await connectTenant(h, simulator, clientId, gone)
  t.equal((await h.app.inject({ method: 'PUT', url: `/v1/clients/${clientId}/tenants/${connected}/credentials`, headers: headersFor(asMsp), payload: ownApp })).statusCode, 200)
  await h.app.inject({ method: 'DELETE', url: `/v1/clients/${clientId}/tenants/${gone}`, headers: headersFor(asMsp) })
  await waitFor(() => h.events.connected.length === 2 && h.events.disconnected.length === 1, 'connect and disconnect events')

  await h.bus.publish(ClientDeleted, deleted(clientId))
  await waitFor(async () => (await h.app.db.select().from(tenants)).length === 0, 'the purge')
  t.equal((await h.app.db.select().from(tenantCredentials)).length, 0, 'credentials purged')
  t.equal((await h.app.db.select().from(connectAttempts)).length, 0, 'attempts purged')
  const [cache] = await queryRows<{ n: number }>(h.app.db, sql`select count(*)::int as n from tenant_auth.token_cache`)
  t.equal(cache?.n, 0, 'cached tokens purged')
  await waitFor(() => h.events.disconnected.length === 2, 'TenantDisconnected for the tenant still connected')
  t.match(h.events.disconnected[1]!.data, { clientId, tenantId: connected })
  t.match(await h.bus.request(TokenRequest, { tenantId: connected }), { ok: false, code: 'not_connected' })
  t.equal((await startConnect(h.app, clientId)).statusCode, 404)
  t.equal((await h.app.inject({ url: `/v1/clients/${clientId}/tenants`, headers: headersFor(asMsp) })).statusCode, 404)

  // a late or repeated client.created does not bring a deleted client back
  await h.bus.publish(ClientCreated, created(clientId, 'Back again?'))
  const marker = randomUUID()
  await h.bus.publish(ClientCreated, created(marker))
  await waitFor(async () => (await h.app.db.select().from(clients).where(eq(clients.clientId, marker))).length === 1, 'a later event handled')
  t.equal((await startConnect(h.app, clientId)).statusCode, 404)
})

t.test('handlers are idempotent: the same client.deleted twice announces nothing twice', async (t) => {
  const simulator = await startSimulator(t)
  const h = await build(t, simulator)
  const clientId = randomUUID()
  await h.bus.publish(ClientCreated, created(clientId))
  await waitFor(async () => (await h.app.db.select().from(clients)).length === 1, 'the client')
  await connectTenant(h, simulator, clientId, simulator.sim.admin.createTenant({ displayName: 'Once Co', userCount: 1 }).tenantId)
  const event = deleted(clientId)
  t.equal(await handleClientDeleted(h.app.db, event), 1)
  t.equal(await handleClientDeleted(h.app.db, event), 0)
  const [written] = await queryRows<{ n: number }>(h.app.db, sql`select count(*)::int as n from tenant_auth.outbox where subject = 'tenant.disconnected'`)
  t.equal(written?.n, 1)
})

t.test('an invalid client event is dead-lettered, not retried forever', async (t) => {
  const simulator = await startSimulator(t)
  const h = await build(t, simulator)
  const nats = h.bus as import('@m365/bus').NatsBus
  await nats.connection.publish(nats.naming.subject(ClientCreated.subject), JSON.stringify({ id: 'x', subject: 'client.created', version: 1, data: { clientId: 'not-a-uuid' } }))
  await waitFor(async () => (await h.bus.deadLetters(ClientCreated.subject)).length === 1, 'a dead letter')
  const [letter] = await h.bus.deadLetters(ClientCreated.subject)
  t.match(letter, { durable: 'tenant-auth-client-created', errors: [/clientId|occurredAt/] })
  t.equal((await h.app.db.select().from(clients)).length, 0)
})
