import { randomUUID } from 'node:crypto'
import t from 'tap'
import { eq, sql } from 'drizzle-orm'
import { purgeClient } from '../../../src/clients/client-repository.js'
import { connectAttempts, outbox, releasedTenants, tenants } from '../../../src/db/schema.js'
import {
  CALLBACK_URL, asClient, asMsp, build, callback, consent, connectTenant, headersFor, seedClient, startConnect, startSimulator, waitFor
} from '../../helper.js'

t.test('start → admin consent → callback: the tenant is connected and TenantConnected published', async (t) => {
  const simulator = await startSimulator(t)
  const h = await build(t, simulator)
  const clientId = await seedClient(h.app)
  const { tenantId } = simulator.sim.admin.createTenant({ displayName: 'Contoso Dental', userCount: 2 })

  const started = await startConnect(h.app, clientId)
  t.equal(started.statusCode, 201)
  const { consentUrl, state, expiresAt } = started.json()
  const url = new URL(consentUrl)
  t.equal(url.origin, simulator.sim.url)
  t.equal(url.pathname, '/organizations/v2.0/adminconsent')
  t.equal(url.searchParams.get('client_id'), simulator.msp.clientId)
  t.equal(url.searchParams.get('scope'), 'https://graph.microsoft.com/.default')
  t.equal(url.searchParams.get('redirect_uri'), CALLBACK_URL)
  t.equal(url.searchParams.get('state'), state)
  t.ok(Date.parse(expiresAt) > Date.now() + 590_000 && Date.parse(expiresAt) <= Date.now() + 600_000, 'the state lives 10 minutes')

  const res = await callback(h.app, await consent(simulator, consentUrl, tenantId))
  t.equal(res.statusCode, 200, res.body)
  t.same(res.json(), { outcome: 'connected', clientId, tenantId, displayName: 'Contoso Dental', alreadyConnected: false })

  const tenant = (await h.app.inject({ url: `/v1/clients/${clientId}/tenants/${tenantId}`, headers: headersFor(asMsp) })).json()
  t.equal(tenant.status, 'connected')
  t.equal(tenant.displayName, 'Contoso Dental')
  t.ok(tenant.connectedAt)
  t.equal(tenant.credentials, null, 'the MSP app, no own registration')

  await waitFor(() => h.events.connected.length === 1, 'TenantConnected')
  t.match(h.events.connected[0]!.data, { clientId, tenantId, displayName: 'Contoso Dental' })
  const [attempt] = await h.app.db.select().from(connectAttempts)
  t.match(attempt, { clientId, outcome: 'connected', tenantId, requestedBy: asMsp.sub })
})

t.test('the callback answers a small HTML page unless JSON is asked for', async (t) => {
  const simulator = await startSimulator(t)
  const h = await build(t, simulator)
  const clientId = await seedClient(h.app)
  const { tenantId } = simulator.sim.admin.createTenant({ displayName: 'Fabrikam <Labs>', userCount: 1 })
  const started = (await startConnect(h.app, clientId)).json()
  const res = await callback(h.app, await consent(simulator, started.consentUrl, tenantId), 'text/html')
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^text\/html/)
  t.match(res.body, /<h1>Connected<\/h1>/)
  t.match(res.body, /Fabrikam &#60;Labs&#62;/, 'Microsoft\'s text is escaped')
  t.match(res.headers['content-security-policy'], /default-src 'none'/)

  const denied = (await startConnect(h.app, clientId)).json()
  const failed = await callback(h.app, await consent(simulator, denied.consentUrl, tenantId, 'deny'), 'text/html')
  t.equal(failed.statusCode, 400)
  t.match(failed.body, /<h1>Connection failed<\/h1>/)
  t.match(failed.body, /access_denied/)
  t.match(failed.body, /AADSTS65004/)
})

t.test('who may start a connection, and what a bad request writes (nothing)', async (t) => {
  const simulator = await startSimulator(t)
  const h = await build(t, simulator)
  const clientId = await seedClient(h.app)
  const other = await seedClient(h.app)

  const noPrincipal = await h.app.inject({ method: 'POST', url: `/v1/clients/${clientId}/tenants/connect`, payload: {} })
  t.equal(noPrincipal.statusCode, 401)
  t.match(noPrincipal.headers['content-type'], /application\/problem\+json/)
  t.equal((await startConnect(h.app, clientId, {}, asClient(clientId))).statusCode, 403, 'client principals are read-only')
  t.equal((await startConnect(h.app, clientId, {}, asClient(other))).statusCode, 404, 'another client\'s principal learns nothing')
  const unknown = await startConnect(h.app, randomUUID())
  t.equal(unknown.statusCode, 404)
  t.match(unknown.json().detail, /does not exist/)
  const bad = await startConnect(h.app, clientId, { tenantId: 'contoso.onmicrosoft.com' })
  t.equal(bad.statusCode, 400)
  t.match(bad.json(), { code: 'VALIDATION_FAILED', detail: /body\/tenantId/ })
  const badClient = await h.app.inject({ method: 'POST', url: '/v1/clients/not-a-uuid/tenants/connect', headers: headersFor(asMsp), payload: {} })
  t.equal(badClient.statusCode, 400)
  t.match(badClient.json().detail, /params\/clientId/)
  t.equal((await h.app.db.select().from(connectAttempts)).length, 0, 'no attempt written')
  t.equal((await startConnect(h.app, clientId)).statusCode, 201)
  const bodyless = await h.app.inject({ method: 'POST', url: `/v1/clients/${clientId}/tenants/connect`, headers: headersFor(asMsp) })
  t.equal(bodyless.statusCode, 201, 'a body-less start works too')
})

t.test('no Azure app configured: connect answers 503', async (t) => {
  const simulator = await startSimulator(t)
  const h = await build(t, simulator, { env: { AZURE_CLIENT_ID: '', AZURE_CLIENT_SECRET: '' } })
  const clientId = await seedClient(h.app)
  const res = await startConnect(h.app, clientId)
  t.equal(res.statusCode, 503)
  t.match(res.json(), { code: 'NO_AZURE_APP', detail: /no Azure app configured/ })
})

t.test('tampered, missing, expired and replayed states are refused and connect nothing', async (t) => {
  const simulator = await startSimulator(t)
  const h = await build(t, simulator)
  const clientId = await seedClient(h.app)
  const { tenantId } = simulator.sim.admin.createTenant({ displayName: 'State Co', userCount: 1 })
  const redirectFor = async () => new URL(await consent(simulator, (await startConnect(h.app, clientId)).json().consentUrl, tenantId))

  const tampered = await redirectFor()
  const state = tampered.searchParams.get('state')!
  const flipped = state.slice(0, -2) + (state.at(-2) === 'A' ? 'B' : 'A') + state.at(-1)
  tampered.searchParams.set('state', flipped)
  const r1 = await callback(h.app, tampered.toString())
  t.equal(r1.statusCode, 400)
  t.match(r1.headers['content-type'], /application\/problem\+json/)
  t.match(r1.json(), { code: 'STATE_INVALID', outcome: 'failed' })

  const missing = await redirectFor()
  missing.searchParams.delete('state')
  t.match((await callback(h.app, missing.toString())).json(), { status: 400, code: 'STATE_INVALID' })

  const expired = await redirectFor()
  await h.app.db.update(connectAttempts).set({ expiresAt: new Date(Date.now() - 1000) }).where(sql`${connectAttempts.completedAt} is null`)
  t.match((await callback(h.app, expired.toString())).json(), { status: 400, code: 'STATE_EXPIRED' })
  t.match((await callback(h.app, expired.toString())).json(), { status: 400, code: 'STATE_ALREADY_USED' }, 'an expired state is used up too')
  t.equal((await h.app.db.select().from(tenants)).length, 0, 'nothing connected so far')

  const good = await redirectFor()
  t.equal((await callback(h.app, good.toString())).statusCode, 200)
  const replay = await callback(h.app, good.toString())
  t.equal(replay.statusCode, 400)
  t.match(replay.json(), { code: 'STATE_ALREADY_USED', detail: /already used/ })
  t.equal((await h.app.db.select().from(tenants)).length, 1)
})

t.test('Microsoft\'s error redirect: its text shown and recorded for a live state of ours only; else a generic message', async (t) => {
  const simulator = await startSimulator(t)
  const h = await build(t, simulator)
  const clientId = await seedClient(h.app)
  const { tenantId } = simulator.sim.admin.createTenant({ displayName: 'Denied Co', userCount: 1 })

  const deniedRedirect = await consent(simulator, (await startConnect(h.app, clientId)).json().consentUrl, tenantId, 'deny')
  const denied = await callback(h.app, deniedRedirect)
  t.equal(denied.statusCode, 400)
  t.match(denied.json(), { code: 'CONSENT_FAILED', outcome: 'failed', error: 'access_denied', errorDescription: /^AADSTS65004: User declined/ })
  const [attempt] = await h.app.db.select().from(connectAttempts)
  t.match(attempt, { outcome: 'failed', error: /access_denied: AADSTS65004/ })

  // anyone can send a browser here with words of their choosing: without a live state of ours, none of them is shown
  const generic = { status: 400, code: 'CONSENT_FAILED', detail: 'the connection was not completed at Microsoft; start it again from the MSP portal' }
  const cancelled = await callback(h.app, await consent(simulator, (await startConnect(h.app, clientId)).json().consentUrl, tenantId, 'cancel'))
  t.match(cancelled.json(), generic, 'the v1 shape carries no state')
  t.notOk('error' in cancelled.json() || 'errorDescription' in cancelled.json())
  const phishing = new URL(deniedRedirect) // a state of ours, used up
  phishing.searchParams.set('error_description', 'Your account is locked: call +1 555 0100')
  const pages = [phishing.toString(), `${CALLBACK_URL}?error=access_denied&error_description=Your+account+is+locked%3A+call+%2B1+555+0100`]
  for (const url of pages) {
    t.match((await callback(h.app, url)).json(), generic)
    const page = await callback(h.app, url, 'text/html')
    t.equal(page.statusCode, 400)
    t.notMatch(page.body, /locked|555|access_denied/)
  }
  t.equal((await h.app.db.select().from(tenants)).length, 0)
})

t.test('connecting the same tenant to the same client twice is idempotent', async (t) => {
  const simulator = await startSimulator(t)
  const h = await build(t, simulator)
  const clientId = await seedClient(h.app)
  const { tenantId } = simulator.sim.admin.createTenant({ displayName: 'Twice Co', userCount: 1 })
  t.equal((await connectTenant(h, simulator, clientId, tenantId)).json().alreadyConnected, false)
  const again = await connectTenant(h, simulator, clientId, tenantId)
  t.equal(again.statusCode, 200)
  t.equal(again.json().alreadyConnected, true)
  t.equal((await h.app.db.select().from(tenants)).length, 1)
  await waitFor(async () => (await h.app.db.select().from(outbox).where(sql`${outbox.sentAt} is null`)).length === 0, 'outbox drained')
  t.equal((await h.app.db.select().from(outbox).where(eq(outbox.subject, 'tenant.connected'))).length, 1, 'one TenantConnected written')
  await waitFor(() => h.events.connected.length === 1, 'TenantConnected')
  t.equal(h.events.connected.length, 1)
})

t.test('a tenant bound to another client: 409 problem+json, the binding unchanged', async (t) => {
  const simulator = await startSimulator(t)
  const h = await build(t, simulator)
  const first = await seedClient(h.app)
  const second = await seedClient(h.app)
  const { tenantId } = simulator.sim.admin.createTenant({ displayName: 'Bound Co', userCount: 1 })
  t.equal((await connectTenant(h, simulator, first, tenantId)).statusCode, 200)

  const res = await connectTenant(h, simulator, second, tenantId)
  t.equal(res.statusCode, 409)
  t.match(res.headers['content-type'], /application\/problem\+json/)
  t.match(res.json(), { status: 409, code: 'TENANT_BOUND_TO_ANOTHER_CLIENT', detail: new RegExp(tenantId) })
  const hinted = await startConnect(h.app, second, { tenantId })
  t.equal(hinted.statusCode, 409, 'known up front when the tenant is named')
  const [row] = await h.app.db.select().from(tenants)
  t.equal(row?.clientId, first)

  // once disconnected there, the tenant may move, when the MSP names it
  t.equal((await h.app.inject({ method: 'DELETE', url: `/v1/clients/${first}/tenants/${tenantId}`, headers: headersFor(asMsp) })).statusCode, 204)
  const moved = await callback(h.app, await consent(simulator, (await startConnect(h.app, second, { tenantId })).json().consentUrl, tenantId))
  t.equal(moved.statusCode, 200, moved.body)
  t.equal((await h.app.db.select().from(tenants))[0]?.clientId, second)
})

t.test('a forged tenant on an unnamed attempt: one another client had, or the MSP\'s own, is refused; named by the MSP, it connects', async (t) => {
  const simulator = await startSimulator(t)
  const home = simulator.sim.admin.createTenant({ displayName: 'MSP Home', userCount: 1 }).tenantId
  simulator.sim.admin.grantConsent(home, simulator.msp.clientId) // the app's own tenant always has it
  const h = await build(t, simulator, { env: { AZURE_TENANT_ID: home } })
  const former = await seedClient(h.app)
  const clientId = await seedClient(h.app)
  const { tenantId } = simulator.sim.admin.createTenant({ displayName: 'Former Co', userCount: 1 })
  t.equal((await connectTenant(h, simulator, former, tenantId)).statusCode, 200)
  t.equal((await h.app.inject({ method: 'DELETE', url: `/v1/clients/${former}/tenants/${tenantId}`, headers: headersFor(asMsp) })).statusCode, 204)
  const own = simulator.sim.admin.createTenant({ displayName: 'Own Co', userCount: 1 }).tenantId
  // the client's admin consents in their own tenant, then edits the redirect (the app still has consent in both targets)
  const forge = async (target: string) => {
    const redirect = new URL(await consent(simulator, (await startConnect(h.app, clientId)).json().consentUrl, own))
    redirect.searchParams.set('tenant', target)
    return redirect.toString()
  }

  const forged = await forge(tenantId)
  const refused = await callback(h.app, forged)
  t.equal(refused.statusCode, 409)
  t.match(refused.json(), { code: 'TENANT_NOT_NAMED', detail: /connected to another client before/ })
  t.match((await callback(h.app, forged)).json(), { code: 'STATE_ALREADY_USED' }, 'the state is used up')
  const home409 = await callback(h.app, await forge(home), 'text/html')
  t.equal(home409.statusCode, 409)
  t.match(home409.body, /the MSP&#39;s own tenant/)
  t.match(await h.app.db.select().from(tenants), [{ tenantId, clientId: former, status: 'disconnected' }], 'nothing bound')

  // a tenant of a client since deleted: its rows are purged, but the app is still in it
  const deleted = await seedClient(h.app)
  const orphan = simulator.sim.admin.createTenant({ displayName: 'Orphan Co', userCount: 1 }).tenantId
  t.equal((await connectTenant(h, simulator, deleted, orphan)).statusCode, 200)
  await purgeClient(h.app.db, deleted, new Date())
  const orphaned = await callback(h.app, await forge(orphan))
  t.equal(orphaned.statusCode, 409)
  t.match(orphaned.json(), { code: 'TENANT_NOT_NAMED', detail: /connected to another client before/ })
  t.same(await h.app.db.select().from(tenants).where(eq(tenants.tenantId, orphan)), [], 'nothing bound')
  const attempts = await h.app.db.select().from(connectAttempts).where(eq(connectAttempts.clientId, clientId))
  t.same(attempts.map((a) => a.outcome), ['failed', 'failed', 'failed'])

  const named = async (target: string) =>
    await callback(h.app, await consent(simulator, (await startConnect(h.app, clientId, { tenantId: target })).json().consentUrl, target))
  t.equal((await named(tenantId)).statusCode, 200, 'the MSP vouches for a tenant it names')
  t.equal((await named(home)).statusCode, 200)
  t.equal((await named(orphan)).statusCode, 200)
  t.match(await h.app.db.select().from(tenants).where(eq(tenants.clientId, clientId)), [{ status: 'connected' }, { status: 'connected' }, { status: 'connected' }])
  t.same(await h.app.db.select().from(releasedTenants), [], 'connected again: no longer a released tenant')
})

t.test('a named tenant: consent is asked of it, and consent given elsewhere is refused', async (t) => {
  const simulator = await startSimulator(t)
  const h = await build(t, simulator)
  const clientId = await seedClient(h.app)
  const { tenantId } = simulator.sim.admin.createTenant({ displayName: 'Named Co', userCount: 1 })
  const other = simulator.sim.admin.createTenant({ displayName: 'Other Co', userCount: 1 }).tenantId
  const started = (await startConnect(h.app, clientId, { tenantId })).json()
  t.equal(new URL(started.consentUrl).pathname, `/${tenantId}/v2.0/adminconsent`)
  const res = await callback(h.app, await consent(simulator, started.consentUrl, other))
  t.equal(res.statusCode, 400)
  t.match(res.json(), { code: 'TENANT_MISMATCH' })
  t.equal((await h.app.db.select().from(tenants)).length, 0)
})

t.test('right after consent the app is not in the tenant yet (AADSTS700016): the callback retries until it is', async (t) => {
  const simulator = await startSimulator(t)
  const h = await build(t, simulator)
  const clientId = await seedClient(h.app)
  const { tenantId } = simulator.sim.admin.createTenant({ displayName: 'Slow Co', userCount: 1 })
  const redirect = await consent(simulator, (await startConnect(h.app, clientId)).json().consentUrl, tenantId)
  simulator.sim.admin.revokeConsent(tenantId, simulator.msp.clientId) // replication has not caught up yet
  const pending = callback(h.app, redirect)
  await waitFor(() => h.logs.lines.some((l) => l.msg === 'consent not visible yet, retrying' && l.tenantId === tenantId), 'a retry')
  simulator.sim.admin.grantConsent(tenantId, simulator.msp.clientId)
  const res = await pending
  t.equal(res.statusCode, 200, res.body)
  t.equal(res.json().outcome, 'connected')
})

t.test('consent that never becomes visible, or a forged tenant: 502 with Microsoft\'s reason, nothing connected', async (t) => {
  const simulator = await startSimulator(t)
  const h = await build(t, simulator, { env: { CONSENT_CONFIRM_TIMEOUT_MS: '200' } })
  const clientId = await seedClient(h.app)
  const { tenantId } = simulator.sim.admin.createTenant({ displayName: 'Never Co', userCount: 1 })
  const redirect = await consent(simulator, (await startConnect(h.app, clientId)).json().consentUrl, tenantId)
  simulator.sim.admin.revokeConsent(tenantId, simulator.msp.clientId)
  const res = await callback(h.app, redirect)
  t.equal(res.statusCode, 502)
  t.match(res.json(), { code: 'CONSENT_NOT_CONFIRMED', detail: /AADSTS700016: Application with identifier/ })

  const victim = simulator.sim.admin.createTenant({ displayName: 'Victim Co', userCount: 1 }).tenantId
  const forged = new URL(await consent(simulator, (await startConnect(h.app, clientId)).json().consentUrl, tenantId))
  forged.searchParams.set('tenant', victim)
  const refused = await callback(h.app, forged.toString())
  t.equal(refused.statusCode, 502)
  t.match(refused.json().detail, new RegExp(`tenant ${victim}`))
  t.equal((await h.app.db.select().from(tenants)).length, 0)
})
