import { randomUUID } from 'node:crypto'
import t from 'tap'
import { eq } from 'drizzle-orm'
import { TokenRequest } from '@m365/contracts'
import { tenants } from '../../src/db/schema.js'
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

t.test('an invalid or expired secret: credentials_invalid, and the event', async (t) => {
  const simulator = await startSimulator(t, shortLived)
  const h = await build(t, simulator)
  const clientId = await seedClient(h.app)
  const wrong = simulator.sim.admin.createTenant({ displayName: 'Wrong Secret Co', userCount: 1 }).tenantId
  await connectTenant(h, simulator, clientId, wrong)

  // the MSP app's secret was rotated in Entra but not here
  simulator.sim.admin.registerApp({ clientId: simulator.msp.clientId, clientSecret: 'rotated', redirectUris: [] })
  t.match(await h.bus.request(TokenRequest, { tenantId: wrong }), { ok: false, code: 'credentials_invalid', message: /^AADSTS7000215: Invalid client secret/ })
  await waitFor(() => h.events.revoked.length === 1, 'TenantConsentRevoked')
  t.match(h.events.revoked[0]!.data, { tenantId: wrong, status: 'credentials_invalid', reason: /AADSTS7000215/ })

  simulator.sim.admin.registerApp({ ...simulator.msp }) // the right secret again
  const expired = simulator.sim.admin.createTenant({ displayName: 'Expired Secret Co', userCount: 1 }).tenantId
  t.equal((await connectTenant(h, simulator, clientId, expired)).statusCode, 200)
  simulator.sim.admin.registerApp({ ...simulator.msp, secretExpiresAt: new Date(Date.now() - 60_000).toISOString() })
  t.match(await h.bus.request(TokenRequest, { tenantId: expired }), { ok: false, code: 'credentials_invalid', message: /^AADSTS7000222: The provided client secret keys .* are expired/ })
  await waitFor(() => h.events.revoked.length === 2, 'a second TenantConsentRevoked')
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
