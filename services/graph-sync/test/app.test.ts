import t from 'tap'
import Fastify from 'fastify'
import fp from 'fastify-plugin'
import { createInProcessBus } from '@m365/bus'
import { createEvent, SyncCompleted, TenantConnected, TokenRequest, type O365User } from '@m365/contracts'
import { createTestPglite } from '@m365/db/testing'
import { findDemoTenant, startM365Simulator } from '@m365/m365-simulator'
import { loadConfig } from '@m365/service-kit'
import graphSyncApp, { GraphSyncConfig, uuidFromName } from '../src/index.js'
import { TokenServer, waitFor } from './helper.js'

t.test('runs embedded, as the single-process app does: an injected PGlite handle and in-process bus', async (t) => {
  const { handle } = await createTestPglite(t)
  const bus = createInProcessBus()
  t.teardown(() => bus.close())
  const sim = await startM365Simulator({ fixture: 'demo' })
  t.teardown(() => sim.close())
  const tokens = new TokenServer(sim)
  t.teardown(() => tokens.close())
  await bus.serve(TokenRequest, async ({ tenantId }) => await tokens.reply(tenantId))
  const completed: string[] = []
  await bus.consume(SyncCompleted, { durable: 'test-sync-completed' }, async (e) => { completed.push(e.data.syncId) })

  const config = loadConfig(GraphSyncConfig, { GRAPH_BASE_URL: sim.url, GRAPH_CA_PEM: sim.caPem, SCHEDULER_ENABLED: 'true', LOG_LEVEL: 'warn' })
  const app = Fastify({ logger: false })
  await app.register(fp(graphSyncApp), { config, db: handle, bus })
  await app.ready()
  t.teardown(() => app.close())

  const demo = findDemoTenant('Northwind Traders')!
  const event = createEvent(TenantConnected, { clientId: '3b1f4c2e-9a7d-4e6b-8c5a-1d2e3f4a5b6c', tenantId: demo.tenantId, connectedAt: new Date().toISOString() })
  await bus.publish(TenantConnected, event)
  const syncId = uuidFromName(`connected:${event.id}`)
  await waitFor(() => completed.includes(syncId), 'the first sync completed', 120_000)
  const rows = await handle.query<{ object_id: string, record: O365User }>(
    `select o.object_id, o.record from graph_sync.object_records o
     join graph_sync.tenants t on t.snapshot_id = o.sync_id where t.tenant_id = $1`, [demo.tenantId])
  const byId = new Map(rows.map((r) => [r.object_id, r.record]))
  for (const s of Object.values(demo.scenarios)) t.equal(byId.get(s.id)?.mfa.status, s.expectedMfaStatus, s.scenario)
  t.equal(rows.filter((r) => r.record.objectType === 'user' && !r.record.deleted).length, demo.totals.activeUsers)
  const health = await app.inject({ url: '/readyz' })
  t.equal(health.statusCode, 200)
})
