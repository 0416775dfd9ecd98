import t from 'tap'
import { randomUUID } from 'node:crypto'
import { ClientCreated, ClientDeleted, type EventOf } from '@m365/contracts'
import { asClient, build, MSP, waitFor } from '../../helper.js'
import { connectTenant, contact, upsertContact } from '../../fixtures.js'

t.test('POST /v1/clients creates a client and publishes ClientCreated from the outbox', async (t) => {
  const { app, bus } = await build(t)
  const seen: Array<EventOf<typeof ClientCreated>> = []
  await bus.consume(ClientCreated, { durable: 'test-client-created' }, async (event) => { seen.push(event) })
  const res = await app.inject({ method: 'POST', url: '/v1/clients', headers: MSP, payload: { name: 'Contoso' } })
  t.equal(res.statusCode, 201)
  const client = res.json()
  t.match(client, { name: 'Contoso', tenants: [], psaCompanies: [] })
  const event = await waitFor(() => seen.find((e) => e.data.clientId === client.id), 'ClientCreated')
  t.equal(event.data.name, 'Contoso')
  const [row] = await waitFor(async () => {
    const rows = await app.db.execute<{ sent: boolean }>('select sent_at is not null as sent from report.outbox' as never)
    const list = (Array.isArray(rows) ? rows : (rows as unknown as { rows: Array<{ sent: boolean }> }).rows)
    return list.every((r) => r.sent) ? list : undefined
  }, 'outbox row marked sent')
  t.ok(row?.sent)
})

t.test('GET /v1/clients pages by name; a client principal sees only its own', async (t) => {
  const { app } = await build(t)
  const ids: Record<string, string> = {}
  for (const name of ['Delta', 'alpha', 'Charlie', 'bravo']) {
    ids[name] = (await app.inject({ method: 'POST', url: '/v1/clients', headers: MSP, payload: { name } })).json().id
  }
  const first = (await app.inject({ url: '/v1/clients?limit=3', headers: MSP })).json()
  t.same(first.items.map((c: { name: string }) => c.name), ['alpha', 'bravo', 'Charlie'])
  const second = (await app.inject({ url: `/v1/clients?limit=3&cursor=${first.nextCursor}`, headers: MSP })).json()
  t.same(second.items.map((c: { name: string }) => c.name), ['Delta'])
  t.equal(second.nextCursor, null)
  const own = (await app.inject({ url: '/v1/clients', headers: asClient(ids.Charlie as string) })).json()
  t.same(own.items.map((c: { name: string }) => c.name), ['Charlie'])
  const bad = await app.inject({ url: '/v1/clients?cursor=nonsense', headers: MSP })
  t.equal(bad.statusCode, 400)
  t.match(bad.json(), { detail: /cursor/ })
})

t.test('GET /v1/clients/:id shows tenants from tenant events and PSA companies from contact events', async (t) => {
  const { app } = await build(t)
  const clientId = (await app.inject({ method: 'POST', url: '/v1/clients', headers: MSP, payload: { name: 'Contoso' } })).json().id
  const tenantId = await connectTenant(app, clientId)
  await upsertContact(app, clientId, contact({ email: 'a@contoso.com', companyExternalId: 'C9', companyName: 'Contoso Ltd' }))
  await upsertContact(app, clientId, contact({ email: 'b@contoso.com', companyExternalId: 'C9', companyName: 'Contoso Ltd' }))
  const res = await app.inject({ url: `/v1/clients/${clientId}`, headers: MSP })
  t.equal(res.statusCode, 200)
  t.match(res.json(), {
    tenants: [{ tenantId, status: 'connected', displayName: 'Contoso' }],
    psaCompanies: [{ psa: 'connectwise', companyExternalId: 'C9', companyName: 'Contoso Ltd', contacts: 2 }]
  })
  t.equal((await app.inject({ url: `/v1/clients/${clientId}`, headers: asClient(clientId) })).statusCode, 200)
  t.equal((await app.inject({ url: `/v1/clients/${randomUUID()}`, headers: MSP })).statusCode, 404)
})

t.test('PATCH renames; DELETE removes and publishes ClientDeleted', async (t) => {
  const { app, bus } = await build(t)
  const deleted: string[] = []
  await bus.consume(ClientDeleted, { durable: 'test-client-deleted' }, async (event) => { deleted.push(event.data.clientId) })
  const clientId = (await app.inject({ method: 'POST', url: '/v1/clients', headers: MSP, payload: { name: 'Old' } })).json().id
  const renamed = await app.inject({ method: 'PATCH', url: `/v1/clients/${clientId}`, headers: MSP, payload: { name: 'New' } })
  t.equal(renamed.statusCode, 200)
  t.equal(renamed.json().name, 'New')
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/clients/${clientId}`, headers: MSP })).statusCode, 204)
  t.equal((await app.inject({ url: `/v1/clients/${clientId}`, headers: MSP })).statusCode, 404)
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/clients/${clientId}`, headers: MSP })).statusCode, 404)
  await waitFor(() => deleted.includes(clientId), 'ClientDeleted')
})

t.test('bad bodies: 400 problem+json naming the field, nothing written', async (t) => {
  const { app } = await build(t)
  for (const [payload, field] of [[{}, 'body must have required property \'name\''], [{ name: '' }, 'body/name'], [{ name: { first: 'x' } }, 'body/name must be string'], [{ name: 'x'.repeat(201) }, 'body/name']] as const) {
    const res = await app.inject({ method: 'POST', url: '/v1/clients', headers: MSP, payload })
    t.equal(res.statusCode, 400)
    t.match(res.headers['content-type'], /application\/problem\+json/)
    t.match(res.json().detail, field)
  }
  t.same((await app.inject({ url: '/v1/clients', headers: MSP })).json().items, [])
  const clientId = (await app.inject({ method: 'POST', url: '/v1/clients', headers: MSP, payload: { name: 'Keep' } })).json().id
  const res = await app.inject({ method: 'PATCH', url: `/v1/clients/${clientId}`, headers: MSP, payload: { name: '' } })
  t.equal(res.statusCode, 400)
  t.match(res.json().detail, 'body/name')
  t.equal((await app.inject({ url: `/v1/clients/${clientId}`, headers: MSP })).json().name, 'Keep')
})

t.test('no principal: 401; client principal writes: 403', async (t) => {
  const { app } = await build(t)
  t.equal((await app.inject({ url: '/v1/clients' })).statusCode, 401)
  const clientId = (await app.inject({ method: 'POST', url: '/v1/clients', headers: MSP, payload: { name: 'Mine' } })).json().id
  const res = await app.inject({ method: 'POST', url: '/v1/clients', headers: asClient(clientId), payload: { name: 'X' } })
  t.equal(res.statusCode, 403)
  t.equal(res.json().code, 'CLIENT_PRINCIPAL_READ_ONLY')
  t.equal((await app.inject({ method: 'PATCH', url: `/v1/clients/${clientId}`, headers: asClient(clientId), payload: { name: 'X' } })).statusCode, 403)
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/clients/${clientId}`, headers: asClient(clientId) })).statusCode, 403)
  t.equal((await app.inject({ url: `/v1/clients/${clientId}`, headers: MSP })).json().name, 'Mine')
  t.equal((await app.inject('/healthz')).statusCode, 200, 'health needs no principal')
})
