import { randomUUID } from 'node:crypto'
import t from 'tap'
import { eq } from 'drizzle-orm'
import { TokenRequest } from '@m365/contracts'
import { outbox, tenants } from '../../src/db/schema.js'
import { asMsp, build, connectTenant, headersFor, seedClient, startSimulator, waitFor } from '../helper.js'

// Tokens living 120 s are inside msal's 5-minute renewal margin: every request reaches the
// identity platform, so a revoked consent shows at once instead of after the cached token expires.
const shortLived = { tokenLifetimeSeconds: 120 }

const tokenOf = (accessToken: string) => JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString()) as { tid: string, appid: string }

t.test('tokens.get over NATS: a token for a connected tenant, not_connected for anything else', async (t) => {
  const simulator = await startSimulator(t)
  const h = await build(t, simulator)
  const clientId = await seedClient(h.app)
  const { tenantId } = simulator.sim.admin.createTenant({ displayName: 'Token Co', userCount: 1 })
  t.equal((await connectTenant(h, simulator, clientId, tenantId)).statusCode, 200)

  const reply = await h.bus.request(TokenRequest, { tenantId })
  if (!reply.ok) throw new Error(reply.message)
  t.match(tokenOf(reply.accessToken), { tid: tenantId, appid: simulator.msp.clientId })
  t.ok(Date.parse(reply.expiresOn) > Date.now() + 3000_000, 'expiresOn is the token\'s')

  t.match(await h.bus.request(TokenRequest, { tenantId: randomUUID() }), { ok: false, code: 'not_connected' })
  t.equal((await h.app.inject({ method: 'DELETE', url: `/v1/clients/${clientId}/tenants/${tenantId}`, headers: headersFor(asMsp) })).statusCode, 204)
  t.match(await h.bus.request(TokenRequest, { tenantId }), { ok: false, code: 'not_connected', message: /not connected/ })
})

t.test('consent revoked: the status flips with Microsoft\'s reason, TenantConsentRevoked once, a typed error reply', async (t) => {
  const simulator = await startSimulator(t, shortLived)
  const h = await build(t, simulator)
  const clientId = await seedClient(h.app)
  const { tenantId } = simulator.sim.admin.createTenant({ displayName: 'Revoked Co', userCount: 1 })
  await connectTenant(h, simulator, clientId, tenantId)
  t.equal((await h.bus.request(TokenRequest, { tenantId })).ok, true)

  simulator.sim.admin.revokeConsent(tenantId, simulator.msp.clientId) // an admin deleted the enterprise app
  const replies = await Promise.all([1, 2, 3].map(() => h.bus.request(TokenRequest, { tenantId })))
  for (const reply of replies) t.match(reply, { ok: false, code: 'consent_revoked', message: /^AADSTS700016: Application with identifier/ })

  const tenant = (await h.app.inject({ url: `/v1/clients/${clientId}/tenants/${tenantId}`, headers: headersFor(asMsp) })).json()
  t.equal(tenant.status, 'consent_revoked')
  t.match(tenant.lastError, /^AADSTS700016: .*Revoked Co/)
  await waitFor(() => h.events.revoked.length === 1, 'TenantConsentRevoked')
  t.match(h.events.revoked[0]!.data, { clientId, tenantId, status: 'consent_revoked', reason: /^AADSTS700016/ })

  t.match(await h.bus.request(TokenRequest, { tenantId }), { ok: false, code: 'consent_revoked' }, 'answered from the status now')
  t.equal((await h.app.db.select().from(tenants).where(eq(tenants.tenantId, tenantId)))[0]?.status, 'consent_revoked')

  // re-consent is a new connection: connected again, and a new TenantConnected
  simulator.sim.admin.grantConsent(tenantId, simulator.msp.clientId)
  t.equal((await connectTenant(h, simulator, clientId, tenantId)).json().alreadyConnected, false)
  t.equal((await h.bus.request(TokenRequest, { tenantId })).ok, true)
  await waitFor(() => h.events.connected.length === 2, 'a second TenantConnected')
  t.equal(h.events.revoked.length, 1, 'one TenantConsentRevoked for one transition')
})

t.test('forceRefresh skips the token cache: a consent revoked while a token is cached shows at once', async (t) => {
  const simulator = await startSimulator(t) // tokens live an hour: well outside msal's renewal margin
  const h = await build(t, simulator)
  const clientId = await seedClient(h.app)
  const { tenantId } = simulator.sim.admin.createTenant({ displayName: 'Cached Co', userCount: 1 })
  await connectTenant(h, simulator, clientId, tenantId)
  const first = await h.bus.request(TokenRequest, { tenantId })
  if (!first.ok) throw new Error(first.message)

  simulator.sim.admin.revokeConsent(tenantId, simulator.msp.clientId)
  t.match(await h.bus.request(TokenRequest, { tenantId }), { ok: true, accessToken: first.accessToken }, 'without it: the cached token')
  t.match(await h.bus.request(TokenRequest, { tenantId, forceRefresh: true }), { ok: false, code: 'consent_revoked', message: /^AADSTS700016/ })
  await waitFor(() => h.events.revoked.length === 1, 'TenantConsentRevoked')
  t.match(await h.bus.request(TokenRequest, { tenantId }), { ok: false, code: 'consent_revoked' }, 'and from now on')

  simulator.sim.admin.grantConsent(tenantId, simulator.msp.clientId)
  await connectTenant(h, simulator, clientId, tenantId)
  const cached = await h.bus.request(TokenRequest, { tenantId })
  const again = await h.bus.request(TokenRequest, { tenantId })
  const renewed = await h.bus.request(TokenRequest, { tenantId, forceRefresh: true })
  if (!cached.ok || !again.ok || !renewed.ok) throw new Error('no token after re-consent')
  t.equal(again.accessToken, cached.accessToken, 'connected again: the cached token without it')
  t.not(renewed.accessToken, cached.accessToken, 'and a new one from the identity platform with it')
})

t.test('a wrong or expired MSP app secret is no tenant\'s doing: identity_unavailable, statuses and events untouched; fixed, tokens again', async (t) => {
  const simulator = await startSimulator(t, shortLived)
  const h = await build(t, simulator)
  const clientId = await seedClient(h.app)
  const ids = ['Alpha Co', 'Beta Co'].map((displayName) => simulator.sim.admin.createTenant({ displayName, userCount: 1 }).tenantId)
  for (const tenantId of ids) t.equal((await connectTenant(h, simulator, clientId, tenantId)).statusCode, 200)
  const statusOf = async (tenantId: string) => (await h.app.db.select().from(tenants).where(eq(tenants.tenantId, tenantId)))[0]?.status
  const mspErrors = () => h.logs.lines.filter((l) => l.level === 50 && /MSP app is refused/.test(String(l.msg))).length
  // and a tenant with its own registration, whose secret is its own business
  const own = { clientId: randomUUID(), clientSecret: `own-${randomUUID()}` }
  simulator.sim.admin.registerApp(own)
  const ownTenant = simulator.sim.admin.createTenant({ displayName: 'Own App Co', userCount: 1, consentedClientIds: [own.clientId] }).tenantId
  const put = await h.app.inject({ method: 'PUT', url: `/v1/clients/${clientId}/tenants/${ownTenant}/credentials`, headers: headersFor(asMsp), payload: own })
  t.equal(put.statusCode, 200, put.body)

  // both secrets were rotated in Entra but not here
  simulator.sim.admin.registerApp({ ...simulator.msp, clientSecret: 'rotated' })
  simulator.sim.admin.registerApp({ ...own, clientSecret: 'rotated' })
  for (const tenantId of [...ids, ...ids]) {
    t.match(await h.bus.request(TokenRequest, { tenantId }), { ok: false, code: 'identity_unavailable', message: /AADSTS7000215: Invalid client secret/ })
  }
  t.equal(mspErrors(), 1, 'one error logged for the outage, not one per request')
  t.match(await h.bus.request(TokenRequest, { tenantId: ownTenant }), { ok: false, code: 'credentials_invalid', message: /^AADSTS7000215/ })
  await waitFor(() => h.events.revoked.length === 1, 'TenantConsentRevoked')
  t.match(h.events.revoked[0]!.data, { tenantId: ownTenant, status: 'credentials_invalid' }, 'for the tenant\'s own registration only')
  for (const tenantId of ids) t.equal(await statusOf(tenantId), 'connected')
  t.equal((await h.app.db.select().from(outbox).where(eq(outbox.subject, 'tenant.consent_revoked'))).length, 1)

  simulator.sim.admin.registerApp({ ...simulator.msp }) // the right secret again
  for (const tenantId of ids) t.equal((await h.bus.request(TokenRequest, { tenantId })).ok, true, 'the same tenants get tokens again')

  simulator.sim.admin.registerApp({ ...simulator.msp, secretExpiresAt: new Date(Date.now() - 60_000).toISOString() })
  t.match(await h.bus.request(TokenRequest, { tenantId: ids[0]! }), { ok: false, code: 'identity_unavailable', message: /AADSTS7000222: The provided client secret keys .* are expired/ })
  t.equal(await statusOf(ids[0]!), 'connected')
  t.equal(mspErrors(), 2, 'a new outage is logged again')
  t.equal(h.events.revoked.length, 1)
})

t.test('with AZURE_TENANT_ID: the MSP app gone from its home tenant too is no tenant\'s doing; a tenant that revoked alone still flips', async (t) => {
  const simulator = await startSimulator(t, shortLived)
  const home = simulator.sim.admin.createTenant({ displayName: 'MSP Home', userCount: 1 }).tenantId
  simulator.sim.admin.grantConsent(home, simulator.msp.clientId)
  const h = await build(t, simulator, { env: { AZURE_TENANT_ID: home } })
  const clientId = await seedClient(h.app)
  const { tenantId } = simulator.sim.admin.createTenant({ displayName: 'Gone Co', userCount: 1 })
  await connectTenant(h, simulator, clientId, tenantId)

  // the app registration deleted: AADSTS700016 everywhere, the home tenant included
  simulator.sim.admin.revokeConsent(home, simulator.msp.clientId)
  simulator.sim.admin.revokeConsent(tenantId, simulator.msp.clientId)
  t.match(await h.bus.request(TokenRequest, { tenantId }), { ok: false, code: 'identity_unavailable', message: /AADSTS700016/ })
  t.equal((await h.app.db.select().from(tenants).where(eq(tenants.tenantId, tenantId)))[0]?.status, 'connected')

  simulator.sim.admin.grantConsent(home, simulator.msp.clientId) // the app is back; only this tenant still lacks it
  t.match(await h.bus.request(TokenRequest, { tenantId }), { ok: false, code: 'consent_revoked', message: /AADSTS700016/ })
  await waitFor(() => h.events.revoked.length === 1, 'TenantConsentRevoked')
})

t.test('the identity platform unreachable: identity_unavailable, the status untouched', async (t) => {
  const simulator = await startSimulator(t, shortLived)
  const h = await build(t, simulator)
  const clientId = await seedClient(h.app)
  const { tenantId } = simulator.sim.admin.createTenant({ displayName: 'Down Co', userCount: 1 })
  await connectTenant(h, simulator, clientId, tenantId)
  await simulator.sim.close()
  t.match(await h.bus.request(TokenRequest, { tenantId }, { timeoutMs: 30_000 }), { ok: false, code: 'identity_unavailable' })
  t.equal((await h.app.db.select().from(tenants).where(eq(tenants.tenantId, tenantId)))[0]?.status, 'connected')
})
