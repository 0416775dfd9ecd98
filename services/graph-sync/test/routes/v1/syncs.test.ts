import { randomUUID } from 'node:crypto'
import t from 'tap'
import { encodePrincipal, PRINCIPAL_HEADER } from '@m365/api'
import { createEvent, SyncProgress, TenantDisconnected } from '@m365/contracts'
import { findDemoTenant } from '@m365/m365-simulator'
import { createTenant, setup, waitFor, waitForRun } from '../../helper.js'

const as = (principal: Parameters<typeof encodePrincipal>[0]) => ({ [PRINCIPAL_HEADER]: encodePrincipal(principal) })
const MSP = as({ role: 'msp', sub: 'staff' })

t.test('sync routes', async (t) => {
  const h = await setup(t)
  const app = await h.build()
  const fabrikam = findDemoTenant('Fabrikam Dental')!.tenantId
  const northwind = findDemoTenant('Northwind Traders')!.tenantId
  const { clientId, syncId: first } = await h.connect(fabrikam)
  const { clientId: otherClient, syncId: otherFirst } = await h.connect(northwind)
  await waitForRun(h.sql, first)
  await waitForRun(h.sql, otherFirst)
  const url = (c: string, tenant: string) => `/v1/clients/${c}/tenants/${tenant}/sync`
  const runCount = async () => Number((await h.sql`select count(*)::int as n from graph_sync.sync_runs`)[0]!.n)

  t.test('POST …/sync: 202 with a sync id the run can be followed by', async (t) => {
    const res = await app.inject({ method: 'POST', url: url(clientId, fabrikam), headers: MSP, payload: { mode: 'delta' } })
    t.equal(res.statusCode, 202)
    const { syncId } = res.json<{ syncId: string }>()
    const run = await waitForRun(h.sql, syncId)
    t.equal(run.outcome, 'completed')
    const view = await app.inject({ url: `/v1/syncs/${syncId}`, headers: MSP })
    t.equal(view.statusCode, 200)
    t.match(view.json(), { syncId, tenantId: fabrikam, clientId, reason: 'manual', requestedMode: 'delta', mode: 'delta' })
    t.match(view.json(), { phase: 'completed', outcome: 'completed', attempts: 1, error: null, mfaSource: 'registration-report' })
    t.match(view.json(), { batches: { removed: 0 }, counts: { users: Number } })
    t.ok(view.json().progress.pages > 0)
    t.type(view.json().durationMs, 'number')
    t.ok(Date.parse(view.json().finishedAt) >= Date.parse(view.json().startedAt))
    const progress = await h.events.waitFor(SyncProgress, (e) => e.data.syncId === syncId && e.data.phase === 'committing', 'progress while it ran')
    t.ok(progress.data.pages > 0, 'o365.sync.progress carries the pages so far')
    const metrics = await app.inject({ url: '/metrics' })
    t.match(metrics.body, /graph_sync_attempts_total\{[^}]*outcome="completed"[^}]*\} [1-9]/)
    const empty = await app.inject({ method: 'POST', url: url(clientId, fabrikam), headers: MSP })
    t.equal(empty.statusCode, 202, 'a POST without a body means mode auto')
    t.equal((await waitForRun(h.sql, empty.json<{ syncId: string }>().syncId)).requested_mode, 'auto')
  })

  t.test('POST …/sync refuses what it must, writing nothing', async (t) => {
    const before = await runCount()
    const noPrincipal = await app.inject({ method: 'POST', url: url(clientId, fabrikam) })
    t.equal(noPrincipal.statusCode, 401)
    t.match(noPrincipal.headers['content-type'], /application\/problem\+json/)
    const client = await app.inject({ method: 'POST', url: url(clientId, fabrikam), headers: as({ role: 'client', sub: 'portal', clientId }) })
    t.equal(client.statusCode, 403, 'client principals are read-only')
    t.equal(client.json().code, 'CLIENT_PRINCIPAL_READ_ONLY')
    const unknown = await app.inject({ method: 'POST', url: url(clientId, randomUUID()), headers: MSP })
    t.equal(unknown.statusCode, 404)
    t.match(unknown.json().detail, /tenant .* of client .* does not exist/)
    const wrongClient = await app.inject({ method: 'POST', url: url(otherClient, fabrikam), headers: MSP })
    t.equal(wrongClient.statusCode, 404, 'a tenant of another client is unknown here')
    const badMode = await app.inject({ method: 'POST', url: url(clientId, fabrikam), headers: MSP, payload: { mode: 'sideways' } })
    t.equal(badMode.statusCode, 400)
    t.match(badMode.json().detail, /mode/)
    const badId = await app.inject({ method: 'POST', url: url(clientId, 'not-a-guid'), headers: MSP })
    t.equal(badId.statusCode, 400)
    t.match(badId.json().detail, /tenantId/)
    t.equal(await runCount(), before, 'no run was created')
  })

  t.test('POST …/sync for a disconnected tenant: 409', async (t) => {
    const contoso = findDemoTenant('Contoso Pharmacy')!.tenantId
    const c = await h.connect(contoso)
    await waitForRun(h.sql, c.syncId)
    await h.bus.publish(TenantDisconnected, createEvent(TenantDisconnected, { clientId: c.clientId, tenantId: contoso, disconnectedAt: new Date().toISOString() }))
    await waitFor(async () => (await h.sql`select 1 from graph_sync.tenants where tenant_id = ${contoso} and status = 'disconnected'`).length > 0, 'disconnected')
    const res = await app.inject({ method: 'POST', url: url(c.clientId, contoso), headers: MSP })
    t.equal(res.statusCode, 409)
    t.equal(res.json().code, 'TENANT_NOT_CONNECTED')
  })

  t.test('GET /v1/syncs/{syncId}: the own client only', async (t) => {
    t.equal((await app.inject({ url: `/v1/syncs/${first}`, headers: as({ role: 'client', sub: 'portal', clientId }) })).statusCode, 200)
    const other = await app.inject({ url: `/v1/syncs/${first}`, headers: as({ role: 'client', sub: 'portal', clientId: otherClient }) })
    t.equal(other.statusCode, 404, "another client's sync answers like an unknown one")
    t.notMatch(other.body, fabrikam, 'and gives nothing of it away')
    t.equal((await app.inject({ url: `/v1/syncs/${randomUUID()}`, headers: MSP })).statusCode, 404)
    t.equal((await app.inject({ url: '/v1/syncs/nope', headers: MSP })).statusCode, 400)
    t.equal((await app.inject({ url: `/v1/syncs/${first}` })).statusCode, 401)
  })

  t.test('GET …/syncs: history, newest first, cursor-paged', async (t) => {
    const list = `/v1/clients/${clientId}/tenants/${fabrikam}/syncs`
    const all = await h.sql`select sync_id from graph_sync.sync_runs where tenant_id = ${fabrikam} order by requested_at desc, sync_id desc`
    t.ok(all.length >= 3)
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const res: { statusCode: number, json: <T>() => T } = await app.inject({ url: `${list}?limit=2${cursor ? `&cursor=${cursor}` : ''}`, headers: as({ role: 'client', sub: 'portal', clientId }) })
      t.equal(res.statusCode, 200)
      const page: { items: Array<{ syncId: string }>, nextCursor: string | null } = res.json<{ items: Array<{ syncId: string }>, nextCursor: string | null }>()
      t.ok(page.items.length <= 2)
      seen.push(...page.items.map((i) => i.syncId))
      cursor = page.nextCursor
    } while (cursor)
    t.same(seen, all.map((r) => r.sync_id))
    t.equal((await app.inject({ url: `${list}?cursor=garbage`, headers: MSP })).statusCode, 400)
    for (const values of [['yesterday', randomUUID()], [new Date().toISOString(), 'x']]) {
      const res = await app.inject({ url: `${list}?cursor=${Buffer.from(JSON.stringify(values)).toString('base64url')}`, headers: MSP })
      t.equal(res.statusCode, 400, JSON.stringify(values))
      t.match(res.json(), { code: 'VALIDATION_FAILED', detail: /querystring\/cursor/ })
    }
    t.equal((await app.inject({ url: `${list}?limit=0`, headers: MSP })).statusCode, 400)
    const other = await app.inject({ url: list, headers: as({ role: 'client', sub: 'portal', clientId: otherClient }) })
    t.equal(other.statusCode, 404)
    t.equal((await app.inject({ url: `/v1/clients/${otherClient}/tenants/${fabrikam}/syncs`, headers: MSP })).statusCode, 404)
  })

  t.test("GET …/syncs of a tenant that moved to another client: only the new client's runs", async (t) => {
    const tenantId = createTenant(h.sim, { displayName: 'Moving Ltd', userCount: 2 })
    const former = await h.connect(tenantId)
    await waitForRun(h.sql, former.syncId)
    await h.bus.publish(TenantDisconnected, createEvent(TenantDisconnected, { clientId: former.clientId, tenantId, disconnectedAt: new Date().toISOString() }))
    await waitFor(async () => (await h.sql`select 1 from graph_sync.tenants where tenant_id = ${tenantId} and status = 'disconnected'`).length > 0, 'disconnected')
    const { clientId: owner, syncId } = await h.connect(tenantId)
    await waitForRun(h.sql, syncId)
    const res = await app.inject({ url: `/v1/clients/${owner}/tenants/${tenantId}/syncs`, headers: as({ role: 'client', sub: 'portal', clientId: owner }) })
    t.equal(res.statusCode, 200)
    t.same(res.json().items.map((i: { syncId: string, clientId: string }) => [i.syncId, i.clientId]), [[syncId, owner]])
  })

  t.test('OpenAPI describes the routes', async (t) => {
    const spec = (await app.inject({ url: '/openapi.json' })).json()
    t.ok(spec.paths['/v1/syncs/{syncId}']?.get)
    t.ok(spec.paths['/v1/clients/{clientId}/tenants/{tenantId}/sync']?.post)
    t.ok(spec.paths['/v1/clients/{clientId}/tenants/{tenantId}/syncs']?.get)
    t.same(spec.paths['/v1/syncs/{syncId}'].get.tags, ['Sync'])
  })
})
