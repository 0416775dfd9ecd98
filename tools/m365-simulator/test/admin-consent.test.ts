import t from 'tap'
import { raw, startSim, tokenFor } from './helper.js'

const redirect = 'https://msp.example.com/connect/callback'

t.test('admin consent approve: 302 back with admin_consent=True, tenant and state; the app can then get tokens', async (t) => {
  const h = await startSim(t, { fixture: 'none' })
  const app = { clientId: crypto.randomUUID(), clientSecret: 'pw', redirectUris: [redirect] }
  h.sim.admin.registerApp(app)
  const { tenantId } = h.sim.admin.createTenant({ displayName: 'New Customer', userCount: 2 })
  const before = await tokenFor(h, tenantId, app.clientId, app.clientSecret).catch((e: { errorNo?: unknown }) => e)
  t.equal(String((before as { errorNo?: unknown }).errorNo), '700016', 'no service principal before consent')

  const q = new URLSearchParams({ client_id: app.clientId, redirect_uri: redirect, state: 'st-123', sim_tenant: tenantId, sim_decision: 'approve' })
  const res = await raw(h, `/common/adminconsent?${q}`, { redirect: 'manual' })
  t.equal(res.status, 302)
  const to = new URL(res.headers.get('location')!)
  t.equal(to.origin + to.pathname, redirect)
  t.equal(to.searchParams.get('admin_consent'), 'True')
  t.equal(to.searchParams.get('tenant'), tenantId)
  t.equal(to.searchParams.get('state'), 'st-123')
  t.notOk(to.searchParams.has('error'))
  t.ok(await tokenFor(h, tenantId, app.clientId, app.clientSecret), 'consent created the service principal')
})

t.test('v2 endpoint echoes scope; the path tenant is used when sim_tenant is absent', async (t) => {
  const h = await startSim(t, { fixture: 'none' })
  const clientId = crypto.randomUUID()
  h.sim.admin.registerApp({ clientId, clientSecret: 'pw' })
  const { tenantId } = h.sim.admin.createTenant({ displayName: 'V2 Co', userCount: 1 })
  const q = new URLSearchParams({ client_id: clientId, redirect_uri: redirect, state: 's', scope: 'https://graph.microsoft.com/.default' })
  const res = await raw(h, `/${tenantId}/v2.0/adminconsent?${q}`, { redirect: 'manual' })
  const to = new URL(res.headers.get('location')!)
  t.equal(to.searchParams.get('tenant'), tenantId)
  t.equal(to.searchParams.get('scope'), 'https://graph.microsoft.com/.default')
})

t.test('admin consent deny and cancel redirect with the error Entra sends', async (t) => {
  const h = await startSim(t, { fixture: 'none' })
  const clientId = crypto.randomUUID()
  h.sim.admin.registerApp({ clientId, clientSecret: 'pw' })
  const { tenantId } = h.sim.admin.createTenant({ displayName: 'Careful Co', userCount: 1 })
  const base = { client_id: clientId, redirect_uri: redirect, state: 'st-9', sim_tenant: tenantId }

  const denied = await raw(h, `/organizations/adminconsent?${new URLSearchParams({ ...base, sim_decision: 'deny' })}`, { redirect: 'manual' })
  t.equal(denied.status, 302)
  const d = new URL(denied.headers.get('location')!)
  t.equal(d.searchParams.get('error'), 'access_denied')
  t.match(d.searchParams.get('error_description'), /^AADSTS65004: /)
  t.equal(d.searchParams.get('state'), 'st-9')
  t.notOk(d.searchParams.has('admin_consent'))

  const cancelled = await raw(h, `/common/adminconsent?${new URLSearchParams({ ...base, sim_decision: 'cancel' })}`, { redirect: 'manual' })
  const c = new URL(cancelled.headers.get('location')!)
  t.equal(c.searchParams.get('error'), 'permission_denied')
  t.notOk(c.searchParams.has('state'), 'v1 cancel comes back without state, as in the spec example')
  t.same(h.sim.admin.listTenants()[0]!.consentedClientIds, [], 'nothing was granted')
})

t.test('admin consent rejects unknown apps, unregistered redirect URIs and missing tenants with an error page', async (t) => {
  const h = await startSim(t, { fixture: 'none' })
  const clientId = crypto.randomUUID()
  h.sim.admin.registerApp({ clientId, clientSecret: 'pw', redirectUris: [redirect] })
  const { tenantId } = h.sim.admin.createTenant({ displayName: 'X', userCount: 1 })
  const page = (q: Record<string, string>, tenant = 'common') => raw(h, `/${tenant}/adminconsent?${new URLSearchParams(q)}`, { redirect: 'manual' })
  const unknown = await page({ client_id: crypto.randomUUID(), redirect_uri: redirect, sim_tenant: tenantId })
  t.equal(unknown.status, 400)
  t.match(unknown.body, /AADSTS700016/)
  const badUri = await page({ client_id: clientId, redirect_uri: 'https://evil.example/cb', sim_tenant: tenantId })
  t.match(badUri.body, /AADSTS50011/)
  const noTenant = await page({ client_id: clientId, redirect_uri: redirect })
  t.equal(noTenant.status, 400)
  t.match(noTenant.body, /sim_tenant/)
})
