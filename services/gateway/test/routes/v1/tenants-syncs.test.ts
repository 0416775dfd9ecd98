import t from 'tap'
import { randomUUID } from 'node:crypto'
import { fetch } from 'undici'
import { consentThroughGateway, ok, startStack, waitFor } from '../../helper.js'
import { completedSync, connectTenant, createClient, usersListed } from '../../flows.js'
import { unlessServices } from '../../services.js'

t.test('connect a tenant through the public callback, sync it, read its users and licences', { skip: unlessServices('report', 'tenant-auth', 'graph-sync') }, async (t) => {
  const stack = await startStack(t, { services: ['report', 'tenant-auth', 'graph-sync'] })
  const api = stack.api()
  const clientId = await createClient(stack, 'Contoso')
  const tenantId = await connectTenant(stack, clientId, { displayName: 'Contoso Dental', userCount: 12 })

  const tenants = ok(await api.GET('/v1/clients/{clientId}/tenants', { params: { path: { clientId } } }), 'tenants')
  t.match(tenants.items, [{ tenantId, clientId, status: 'connected', displayName: 'Contoso Dental' }])
  const first = await completedSync(api, clientId, tenantId)
  t.match(first, { tenantId, clientId, phase: 'completed', outcome: 'completed', reason: 'connected' })
  const tenant = await waitFor(async () => {
    const current = ok(await api.GET('/v1/clients/{clientId}/tenants/{tenantId}', { params: { path: { clientId, tenantId } } }), 'tenant')
    return current.lastSyncOutcome === 'completed' ? current : undefined
  }, 'the tenant shows its last sync')
  t.ok(tenant.lastSyncAt, 'status and last sync on the tenant')

  const started = await api.POST('/v1/clients/{clientId}/tenants/{tenantId}/sync', { params: { path: { clientId, tenantId } }, body: { mode: 'full' } })
  t.equal(started.response.status, 202)
  const { syncId } = ok(started, 'start sync')
  const run = await waitFor(async () => {
    const current = ok(await api.GET('/v1/syncs/{syncId}', { params: { path: { syncId } } }), 'sync')
    return current.outcome ? current : undefined
  }, `sync ${syncId}`, 90_000)
  t.match(run, { syncId, reason: 'manual', requestedMode: 'full', mode: 'full', outcome: 'completed', progress: { usersProcessed: Number } })
  const history = ok(await api.GET('/v1/clients/{clientId}/tenants/{tenantId}/syncs', { params: { path: { clientId, tenantId } } }), 'history')
  t.same(history.items.map((r) => r.syncId), [syncId, first.syncId], 'newest first')

  const users = await usersListed(api, clientId, 12)
  t.ok(users.every((u) => u.tenantId === tenantId))
  const members = ok(await api.GET('/v1/clients/{clientId}/office365/users', {
    params: { path: { clientId }, query: { userType: 'Member', accountEnabled: true, limit: 500 } }
  }), 'filtered')
  t.ok(members.items.length > 0 && members.items.every((u) => u.userType === 'Member' && u.accountEnabled === true), 'userType and accountEnabled filters')
  const withoutMfa = ok(await api.GET('/v1/clients/{clientId}/office365/users', { params: { path: { clientId }, query: { mfaStatus: 'Disabled', limit: 500 } } }), 'mfa')
  t.ok(withoutMfa.items.every((u) => u.mfa.status === 'Disabled'), 'mfaStatus filter')
  const named = users[0]!
  const byName = ok(await api.GET('/v1/clients/{clientId}/office365/users', {
    params: { path: { clientId }, query: { q: named.userPrincipalName!.split('@')[0]!, limit: 500 } }
  }), 'q')
  t.ok(byName.items.some((u) => u.id === named.id), 'q finds the user')
  const licenses = ok(await api.GET('/v1/clients/{clientId}/office365/licenses', { params: { path: { clientId } } }), 'licenses')
  t.ok(licenses.items.length > 0, 'licences per SKU')
  // a SKU a listed user holds (a generated tenant may have SKUs held by no one, or only by deleted accounts)
  const held = users.flatMap((u) => u.licenses)[0]!
  const sku = licenses.items.find((l) => l.skuId === held.skuId)!
  t.ok(sku, 'the held SKU is in the licence summary')
  const holders = ok(await api.GET('/v1/clients/{clientId}/office365/users', {
    params: { path: { clientId }, query: { licence: sku.skuPartNumber, limit: 500 } }
  }), 'licence filter')
  t.ok(holders.items.length > 0 && holders.items.every((u) => u.licenses.some((l) => l.skuId === sku.skuId)), 'licence filter')

  const portal = stack.api(await stack.token({ role: 'client', clientId }))
  t.equal((await portal.GET('/v1/clients/{clientId}/office365/users', { params: { path: { clientId } } })).response.status, 200, 'the client reads its own users')
  t.equal((await portal.GET('/v1/syncs/{syncId}', { params: { path: { syncId } } })).response.status, 200, 'and its own syncs')
  t.equal((await portal.POST('/v1/clients/{clientId}/tenants/{tenantId}/sync', { params: { path: { clientId, tenantId } }, body: {} })).response.status, 403)
  t.equal((await portal.DELETE('/v1/clients/{clientId}/tenants/{tenantId}', { params: { path: { clientId, tenantId } } })).response.status, 403)

  const bodyless = await fetch(`${stack.url}/v1/clients/${clientId}/tenants/${tenantId}/sync`, { method: 'POST', headers: { authorization: `Bearer ${stack.mspToken}` } })
  t.equal(bodyless.status, 202, 'a POST without a body: mode auto')
  t.match(await bodyless.json(), { syncId: /^[0-9a-f-]{36}$/ })

  const disconnected = await api.DELETE('/v1/clients/{clientId}/tenants/{tenantId}', { params: { path: { clientId, tenantId } } })
  t.equal(disconnected.response.status, 204)
  const after = ok(await api.GET('/v1/clients/{clientId}/tenants/{tenantId}', { params: { path: { clientId, tenantId } } }), 'tenant')
  t.equal(after.status, 'disconnected')
  // graph-sync hears of the disconnection by event, a moment later
  const refused = await waitFor(async () => {
    const res = await api.POST('/v1/clients/{clientId}/tenants/{tenantId}/sync', { params: { path: { clientId, tenantId } }, body: {} })
    return res.response.status === 409 ? res : undefined
  }, 'syncs refused after the disconnection')
  t.match(refused.error, { status: 409, code: 'TENANT_NOT_CONNECTED' }, "graph-sync's conflict, relayed")
})

t.test('the consent callback is public and passes through as it is: HTML pages, problem+json with Microsoft\'s error', { skip: unlessServices('report', 'tenant-auth') }, async (t) => {
  const stack = await startStack(t, { services: ['report', 'tenant-auth'] })
  const clientId = await createClient(stack, 'Fabrikam')
  const { tenantId } = stack.sim!.admin.createTenant({ displayName: 'Fabrikam <Labs>', userCount: 1 })
  const started = ok(await stack.api().POST('/v1/clients/{clientId}/tenants/connect', { params: { path: { clientId } }, body: {} }), 'connect')
  const bodyless = await fetch(`${stack.url}/v1/clients/${clientId}/tenants/connect`, { method: 'POST', headers: { authorization: `Bearer ${stack.mspToken}` } })
  t.equal(bodyless.status, 201, 'a connect without a body, as tenant-auth takes it')
  t.match(await bodyless.json(), { consentUrl: /adminconsent/ })
  const page = await consentThroughGateway(stack, started.consentUrl, tenantId, 'text/html')
  t.equal(page.status, 200)
  t.match(page.headers.get('content-type'), /^text\/html/)
  t.match(page.headers.get('content-security-policy'), /default-src 'none'/, "tenant-auth's page headers come along")
  t.match(await page.text(), /<h1>Connected<\/h1>/)

  const replay = await fetch(`${stack.url}/v1/connect/callback?admin_consent=True&tenant=${tenantId}&state=${encodeURIComponent(started.state)}`, {
    headers: { accept: 'application/json' }
  })
  t.equal(replay.status, 400)
  t.match(replay.headers.get('content-type'), /^application\/problem\+json/)
  t.match(await replay.json(), { status: 400, code: 'STATE_ALREADY_USED', outcome: 'failed' })

  const denied = await fetch(`${stack.url}/v1/connect/callback?error=access_denied&error_description=AADSTS65004&state=${randomUUID()}`, { headers: { accept: 'text/html' } })
  t.equal(denied.status, 400)
  t.match(await denied.text(), /<h1>Connection failed<\/h1>/)
  const tooLong = await fetch(`${stack.url}/v1/connect/callback?state=${'x'.repeat(600)}`)
  t.equal(tooLong.status, 400, 'the gateway validates the query too')
  t.match(await tooLong.json(), { detail: /querystring\/state/ })
})

t.test('the consent callback waits out tenant-auth\'s confirmation, however short UPSTREAM_TIMEOUT_MS is', { skip: unlessServices('report', 'tenant-auth') }, async (t) => {
  const stack = await startStack(t, { services: ['report', 'tenant-auth'], env: { UPSTREAM_TIMEOUT_MS: '200' } })
  const clientId = await createClient(stack, 'Slow Replication')
  const { tenantId } = stack.sim!.admin.createTenant({ displayName: 'Slow Co', userCount: 1 })
  const started = ok(await stack.api().POST('/v1/clients/{clientId}/tenants/connect', { params: { path: { clientId } }, body: {} }), 'connect')
  // the confirmation's Graph call takes far longer than UPSTREAM_TIMEOUT_MS (as retries during replication lag do)
  stack.sim!.admin.setFaults(tenantId, { slowPageMs: 1_000, onlyPaths: ['/v1.0/organization'] })
  const res = await consentThroughGateway(stack, started.consentUrl, tenantId)
  t.equal(res.status, 200)
  t.match(await res.json(), { outcome: 'connected', clientId, tenantId })
})

t.test("a service's deliberate 5xx comes back with its status and words (tenant-auth without an Azure app)", { skip: unlessServices('report', 'tenant-auth') }, async (t) => {
  const stack = await startStack(t, { services: ['report', 'tenant-auth'], azureApp: false })
  const clientId = await createClient(stack, 'Contoso')
  const res = await stack.api().POST('/v1/clients/{clientId}/tenants/connect', { params: { path: { clientId } }, body: {} })
  t.equal(res.response.status, 503)
  t.match(res.response.headers.get('content-type'), /^application\/problem\+json/)
  t.match(res.error, { status: 503, code: 'NO_AZURE_APP', detail: /no Azure app configured/, instance: `/v1/clients/${clientId}/tenants/connect` })
})
