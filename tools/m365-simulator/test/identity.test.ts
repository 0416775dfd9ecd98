import { ServerError } from '@azure/msal-node'
import t, { type Test } from 'tap'
import { createClientCertificate } from '../src/index.js'
import { GRAPH_SCOPE, msalFor, raw, startSim, tokenFor } from './helper.js'

const scopes = GRAPH_SCOPE

async function serverError (t: Test, p: Promise<unknown>) {
  const err = await p.then(() => undefined, (e: unknown) => e)
  t.type(err, ServerError)
  return err as ServerError
}

t.test('client credentials with a secret: msal gets a token, then serves it from its cache', async (t) => {
  const h = await startSim(t, { fixture: 'none' })
  const app = { clientId: crypto.randomUUID(), clientSecret: 's3cret' }
  h.sim.admin.registerApp(app)
  const { tenantId } = h.sim.admin.createTenant({ displayName: 'Token Co', userCount: 3, consentedClientIds: [app.clientId] })
  const cca = msalFor(h, tenantId, app.clientId, { clientSecret: app.clientSecret }) // discovery through openid-configuration
  const first = await cca.acquireTokenByClientCredential({ scopes })
  t.ok(first?.accessToken)
  t.equal(first?.fromCache, false)
  const again = await cca.acquireTokenByClientCredential({ scopes })
  t.equal(again?.fromCache, true)
  t.equal(h.sim.admin.stats(tenantId).tokensIssued, 1, 'the second call never reached the simulator')
  const claims = JSON.parse(Buffer.from(first!.accessToken.split('.')[1]!, 'base64url').toString())
  t.equal(claims.tid, tenantId)
  t.equal(claims.appid, app.clientId)
  t.same([...claims.roles].sort(), ['AuditLog.Read.All', 'OrgContact.Read.All', 'Organization.Read.All', 'Policy.Read.All', 'User.Read.All'])
})

t.test('client credentials with a certificate (client assertion), verified against the registered certificate', async (t) => {
  const h = await startSim(t, { fixture: 'none' })
  const cert = await createClientCertificate('sim-test-app')
  const clientId = crypto.randomUUID()
  h.sim.admin.registerApp({ clientId, certificatePem: cert.certPem })
  const { tenantId } = h.sim.admin.createTenant({ displayName: 'Cert Co', userCount: 1, consentedClientIds: [clientId] })
  const ok = await msalFor(h, tenantId, clientId, { clientCertificate: { thumbprintSha256: cert.thumbprintSha256, privateKey: cert.privateKeyPem } }, { metadata: true })
    .acquireTokenByClientCredential({ scopes })
  t.ok(ok?.accessToken)

  const other = await createClientCertificate('someone-else')
  const err = await serverError(t, msalFor(h, tenantId, clientId, { clientCertificate: { thumbprintSha256: other.thumbprintSha256, privateKey: other.privateKeyPem } }, { metadata: true })
    .acquireTokenByClientCredential({ scopes }))
  t.equal(err.errorCode, 'invalid_client')
  t.equal(String(err.errorNo), '700027')

  // right thumbprint, wrong key: the signature check catches it
  const forged = await serverError(t, msalFor(h, tenantId, clientId, { clientCertificate: { thumbprintSha256: cert.thumbprintSha256, privateKey: other.privateKeyPem } }, { metadata: true })
    .acquireTokenByClientCredential({ scopes }))
  t.match(forged.errorMessage, /signature validation/)
})

t.test('AADSTS errors: wrong secret, unknown app, no consent, revoked consent, unknown tenant', async (t) => {
  const h = await startSim(t, { fixture: 'none' })
  const app = { clientId: crypto.randomUUID(), clientSecret: 'right' }
  h.sim.admin.registerApp(app)
  const consented = h.sim.admin.createTenant({ displayName: 'Consented', userCount: 1, consentedClientIds: [app.clientId] }).tenantId
  const never = h.sim.admin.createTenant({ displayName: 'Never Consented', userCount: 1 }).tenantId

  const wrong = await serverError(t, msalFor(h, consented, app.clientId, { clientSecret: 'wrong' }).acquireTokenByClientCredential({ scopes }))
  t.equal(wrong.errorCode, 'invalid_client')
  t.equal(String(wrong.errorNo), '7000215')
  t.match(wrong.errorMessage, /AADSTS7000215: Invalid client secret provided/)

  const unknown = await serverError(t, msalFor(h, consented, crypto.randomUUID(), { clientSecret: 'x' }).acquireTokenByClientCredential({ scopes }))
  t.equal(unknown.errorCode, 'unauthorized_client')
  t.equal(String(unknown.errorNo), '700016')

  const noConsent = await serverError(t, msalFor(h, never, app.clientId, { clientSecret: app.clientSecret }).acquireTokenByClientCredential({ scopes }))
  t.equal(noConsent.errorCode, 'unauthorized_client')
  t.equal(String(noConsent.errorNo), '700016')
  t.match(noConsent.errorMessage, /was not found in the directory 'Never Consented'/)

  t.ok(await tokenFor(h, consented, app.clientId, app.clientSecret))
  h.sim.admin.revokeConsent(consented, app.clientId)
  const revoked = await serverError(t, msalFor(h, consented, app.clientId, { clientSecret: app.clientSecret }).acquireTokenByClientCredential({ scopes, skipCache: true }))
  t.equal(String(revoked.errorNo), '700016')

  const noTenant = await serverError(t, msalFor(h, crypto.randomUUID(), app.clientId, { clientSecret: app.clientSecret }, { metadata: true }).acquireTokenByClientCredential({ scopes }))
  t.equal(noTenant.errorCode, 'invalid_request')
  t.equal(String(noTenant.errorNo), '90002')
})

t.test('token endpoint details: expired secret, bad scope, error body shape', async (t) => {
  const h = await startSim(t, { fixture: 'none' })
  const clientId = crypto.randomUUID()
  h.sim.admin.registerApp({ clientId, clientSecret: 'old', secretExpiresAt: '2020-01-01T00:00:00Z' })
  const { tenantId } = h.sim.admin.createTenant({ displayName: 'Expired', userCount: 1, consentedClientIds: [clientId] })
  const expired = await serverError(t, msalFor(h, tenantId, clientId, { clientSecret: 'old' }).acquireTokenByClientCredential({ scopes }))
  t.equal(String(expired.errorNo), '7000222')

  const res = await raw(h, `/${tenantId}/oauth2/v2.0/token?client-request-id=abc`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: undefined
  })
  t.equal(res.status, 400)
  t.equal(res.body.error, 'invalid_request')
  t.equal(res.body.correlation_id, 'abc')
  t.same(res.body.error_codes, [900144])
  t.ok(res.body.trace_id && res.body.timestamp && res.body.error_uri)

  const scope = await fetchForm(h, `/${tenantId}/oauth2/v2.0/token`, { grant_type: 'client_credentials', client_id: clientId, client_secret: 'old', scope: 'User.Read' })
  t.equal(scope.body.error, 'invalid_scope')
  t.same(scope.body.error_codes, [1002012])
})

t.test('OpenID metadata: issuer on the simulator host, unknown tenant answers 90002', async (t) => {
  const h = await startSim(t)
  const tenantId = h.sim.admin.demoTenants()[0]!.tenantId
  const meta = await raw(h, `/${tenantId}/v2.0/.well-known/openid-configuration`)
  t.equal(meta.body.issuer, `${h.sim.url}/${tenantId}/v2.0`)
  t.equal(meta.body.token_endpoint, `${h.sim.url}/${tenantId}/oauth2/v2.0/token`)
  const byDomain = await raw(h, '/fabrikamdental.com/v2.0/.well-known/openid-configuration')
  t.equal(byDomain.body.issuer, `${h.sim.url}/${tenantId}/v2.0`)
  const common = await raw(h, '/common/v2.0/.well-known/openid-configuration')
  t.equal(common.body.issuer, `${h.sim.url}/{tenantid}/v2.0`)
  const missing = await raw(h, `/${crypto.randomUUID()}/v2.0/.well-known/openid-configuration`)
  t.equal(missing.status, 400)
  t.same(missing.body.error_codes, [90002])
  const instance = await raw(h, '/common/discovery/instance?api-version=1.1')
  t.equal(instance.body.tenant_discovery_endpoint, `${h.sim.url}/{tenant}/v2.0/.well-known/openid-configuration`)
})

t.test('Graph validates tokens: missing, garbled, expired → 401 InvalidAuthenticationToken', async (t) => {
  const h = await startSim(t)
  const demo = h.sim.admin.demoTenants()[0]!
  const token = await tokenFor(h, demo.tenantId, '5e3d1c2b-7a4f-4e8d-9b6c-1f2a3b4c5d6e', 'm365-simulator-demo-secret')
  t.equal((await raw(h, '/v1.0/organization', { token })).status, 200)
  for (const bad of [undefined, 'garbage', token.slice(0, -4) + 'AAAA']) {
    const res = await raw(h, '/v1.0/organization', bad === undefined ? {} : { token: bad })
    t.equal(res.status, 401)
    t.equal(res.body.error.code, 'InvalidAuthenticationToken')
    t.ok(res.body.error.innerError['request-id'])
  }
  h.sim.admin.advanceClock(3600)
  const expired = await raw(h, '/v1.0/organization', { token })
  t.equal(expired.status, 401)
  t.match(expired.body.error.message, /expired/)
})

t.test('permissions: without Policy.Read.All / AuditLog.Read.All Graph answers 403 Authorization_RequestDenied', async (t) => {
  const h = await startSim(t)
  const demo = h.sim.admin.demoTenants()[0]!
  const clientId = '5e3d1c2b-7a4f-4e8d-9b6c-1f2a3b4c5d6e'
  h.sim.admin.setPermissions(demo.tenantId, clientId, ['User.Read.All', 'Organization.Read.All'])
  const token = await tokenFor(h, demo.tenantId, clientId, 'm365-simulator-demo-secret')
  t.equal((await raw(h, '/v1.0/users?$top=1', { token })).status, 200)
  for (const path of [
    `/beta/users/${demo.scenarios.registeredEnforced.id}/authentication/requirements`,
    '/v1.0/policies/identitySecurityDefaultsEnforcementPolicy',
    '/v1.0/identity/conditionalAccess/policies',
    '/v1.0/reports/authenticationMethods/userRegistrationDetails',
    '/v1.0/contacts'
  ]) {
    const res = await raw(h, path, { token })
    t.equal(res.status, 403, path)
    t.equal(res.body.error.code, 'Authorization_RequestDenied', path)
  }
})

async function fetchForm (h: Awaited<ReturnType<typeof startSim>>, path: string, form: Record<string, string>) {
  const { fetch } = await import('undici')
  const res = await fetch(h.sim.url + path, { method: 'POST', dispatcher: h.dispatcher, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() })
  return { status: res.status, body: await res.json() as any }
}
