import { randomUUID } from 'node:crypto'
import t from 'tap'
import { sql } from 'drizzle-orm'
import { queryRows } from '@m365/db'
import { tenants } from '../../../src/db/schema.js'
import { bindTenant } from '../../../src/tenants/tenant-repository.js'
import { asClient, asMsp, build, connectTenant, headersFor, inProcessBus, seedClient, startSimulator, waitFor } from '../../helper.js'

t.test('list: cursor-paged in tenant id order, status filter, scoped to the client', async (t) => {
  const simulator = await startSimulator(t)
  const h = await build(t, simulator, { bus: inProcessBus(t) })
  const clientId = await seedClient(h.app)
  const other = await seedClient(h.app)
  // fixtures straight into the table, through the repository
  const ids = Array.from({ length: 5 }, () => randomUUID()).sort()
  for (const tenantId of ids) await h.app.db.transaction((tx) => bindTenant(tx, { clientId, tenantId, displayName: `T ${tenantId.slice(0, 4)}` }))
  await h.app.db.transaction((tx) => bindTenant(tx, { clientId: other, tenantId: randomUUID(), displayName: 'not yours' }))
  await h.app.db.update(tenants).set({ status: 'consent_revoked', lastError: 'AADSTS700016: gone' }).where(sql`${tenants.tenantId} = ${ids[4]}`)

  const seen: string[] = []
  let cursor: string | null = null
  do {
    const res = await h.app.inject({ url: `/v1/clients/${clientId}/tenants`, query: { limit: '2', ...(cursor ? { cursor } : {}) }, headers: headersFor(asMsp) })
    t.equal(res.statusCode, 200)
    const page = res.json() as { items: Array<{ tenantId: string, clientId: string }>, nextCursor: string | null }
    t.ok(page.items.length <= 2)
    for (const item of page.items) t.equal(item.clientId, clientId)
    seen.push(...page.items.map((i) => i.tenantId))
    cursor = page.nextCursor
  } while (cursor)
  t.same(seen, ids)

  const revoked = (await h.app.inject({ url: `/v1/clients/${clientId}/tenants?status=consent_revoked`, headers: headersFor(asClient(clientId)) })).json()
  t.same(revoked.items.map((i: { tenantId: string }) => i.tenantId), [ids[4]], 'a client user reads its own client')
  t.match(revoked.items[0], { status: 'consent_revoked', lastError: 'AADSTS700016: gone', lastSyncAt: null, lastSyncOutcome: null, credentials: null })

  t.equal((await h.app.inject({ url: `/v1/clients/${clientId}/tenants`, headers: headersFor(asClient(other)) })).statusCode, 404, 'another client\'s user: 404')
  t.equal((await h.app.inject({ url: `/v1/clients/${clientId}/tenants` })).statusCode, 401)
  t.equal((await h.app.inject({ url: `/v1/clients/${randomUUID()}/tenants`, headers: headersFor(asMsp) })).statusCode, 404)
  const badCursor = await h.app.inject({ url: `/v1/clients/${clientId}/tenants?cursor=bm9wZQ`, headers: headersFor(asMsp) })
  t.match(badCursor.json(), { status: 400, detail: /querystring\/cursor/ })
  const badLimit = await h.app.inject({ url: `/v1/clients/${clientId}/tenants?limit=0`, headers: headersFor(asMsp) })
  t.match(badLimit.json(), { status: 400, detail: /querystring\/limit/ })
  const badStatus = await h.app.inject({ url: `/v1/clients/${clientId}/tenants?status=pending`, headers: headersFor(asMsp) })
  t.match(badStatus.json(), { status: 400, detail: /querystring\/status/ })
})

t.test('get: the client\'s tenant only', async (t) => {
  const simulator = await startSimulator(t)
  const h = await build(t, simulator, { bus: inProcessBus(t) })
  const clientId = await seedClient(h.app)
  const other = await seedClient(h.app)
  const tenantId = randomUUID()
  await h.app.db.transaction((tx) => bindTenant(tx, { clientId, tenantId, displayName: 'Mine' }))
  t.match((await h.app.inject({ url: `/v1/clients/${clientId}/tenants/${tenantId}`, headers: headersFor(asClient(clientId)) })).json(), { tenantId, displayName: 'Mine' })
  const wrongClient = await h.app.inject({ url: `/v1/clients/${other}/tenants/${tenantId}`, headers: headersFor(asMsp) })
  t.equal(wrongClient.statusCode, 404)
  t.match(wrongClient.json().detail, /is not connected to client/)
  t.equal((await h.app.inject({ url: `/v1/clients/${clientId}/tenants/${tenantId}`, headers: headersFor(asClient(other)) })).statusCode, 404)
  t.match((await h.app.inject({ url: `/v1/clients/${clientId}/tenants/nope`, headers: headersFor(asMsp) })).json(), { status: 400, detail: /params\/tenantId/ })
})

t.test('disconnect: MSP only, TenantDisconnected once, data kept, no more tokens', async (t) => {
  const simulator = await startSimulator(t)
  const h = await build(t, simulator)
  const clientId = await seedClient(h.app)
  const { tenantId } = simulator.sim.admin.createTenant({ displayName: 'Leaving Co', userCount: 1 })
  await connectTenant(h, simulator, clientId, tenantId)
  const url = `/v1/clients/${clientId}/tenants/${tenantId}`

  t.equal((await h.app.inject({ method: 'DELETE', url, headers: headersFor(asClient(clientId)) })).statusCode, 403)
  t.equal((await h.app.inject({ method: 'DELETE', url: `/v1/clients/${randomUUID()}/tenants/${tenantId}`, headers: headersFor(asMsp) })).statusCode, 404)
  t.equal((await h.app.inject({ method: 'DELETE', url, headers: headersFor(asMsp) })).statusCode, 204)
  t.equal((await h.app.inject({ method: 'DELETE', url, headers: headersFor(asMsp) })).statusCode, 204, 'again: nothing to do')
  const tenant = (await h.app.inject({ url, headers: headersFor(asMsp) })).json()
  t.match(tenant, { status: 'disconnected', displayName: 'Leaving Co' })
  t.ok(tenant.disconnectedAt)
  await waitFor(() => h.events.disconnected.length === 1, 'TenantDisconnected')
  t.match(h.events.disconnected[0]!.data, { clientId, tenantId })
  const [cached] = await queryRows<{ n: number }>(h.app.db, sql`select count(*)::int as n from tenant_auth.token_cache where tenant_id = ${tenantId}`)
  t.equal(cached?.n, 0, 'cached tokens dropped')
})
