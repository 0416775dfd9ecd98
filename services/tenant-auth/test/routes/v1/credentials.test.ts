import { randomUUID } from 'node:crypto'
import t from 'tap'
import { sql } from 'drizzle-orm'
import { TokenRequest } from '@m365/contracts'
import { queryRows } from '@m365/db'
import { createClientCertificate } from '@m365/m365-simulator'
import { tenantCredentials, tenants } from '../../../src/db/schema.js'
import { asClient, asMsp, build, connectTenant, headersFor, seedClient, startSimulator, waitFor, type Harness, type Simulator } from '../../helper.js'
import type { Principal } from '@m365/api'

/** A single-tenant app registered in the customer tenant, with admin consent there. */
function ownRegistration (simulator: Simulator, input: { clientSecret?: string, certificatePem?: string } = {}) {
  const clientId = randomUUID()
  simulator.sim.admin.registerApp({ clientId, displayName: 'Customer-owned app', ...input })
  const { tenantId } = simulator.sim.admin.createTenant({ displayName: 'Own App Co', userCount: 1, consentedClientIds: [clientId] })
  return { clientId, tenantId }
}

const put = (h: Harness, clientId: string, tenantId: string, payload: Record<string, unknown>, principal: Principal = asMsp) =>
  h.app.inject({ method: 'PUT', url: `/v1/clients/${clientId}/tenants/${tenantId}/credentials`, headers: headersFor(principal), payload })

t.test('a client secret: checked with Microsoft, stored encrypted, the tenant connected, tokens from that app', async (t) => {
  const simulator = await startSimulator(t)
  const h = await build(t, simulator)
  const clientId = await seedClient(h.app)
  const clientSecret = `own-secret-${randomUUID()}`
  const app = ownRegistration(simulator, { clientSecret })

  const res = await put(h, clientId, app.tenantId, { clientId: app.clientId, clientSecret })
  t.equal(res.statusCode, 200, res.body)
  t.same(res.json(), { credentialType: 'client_secret', clientId: app.clientId }, 'type and app id only')
  t.notMatch(res.body, clientSecret)

  const [raw] = await queryRows<Record<string, unknown>>(h.app.db, sql`select * from tenant_auth.tenant_credentials`)
  t.match(raw, { tenant_id: app.tenantId, app_client_id: app.clientId, credential_type: 'client_secret', key_id: /^[0-9a-f]{12}$/ })
  t.notMatch(JSON.stringify(raw), clientSecret, 'no plaintext in the row')
  t.notMatch(Buffer.from(String(raw!.ciphertext), 'base64').toString('latin1'), clientSecret, 'nor in the decoded ciphertext')

  const tenant = await h.app.inject({ url: `/v1/clients/${clientId}/tenants/${app.tenantId}`, headers: headersFor(asMsp) })
  t.match(tenant.json(), { status: 'connected', displayName: 'Own App Co', credentials: { credentialType: 'client_secret', clientId: app.clientId } })
  t.notMatch(tenant.body, clientSecret)
  await waitFor(() => h.events.connected.length === 1, 'TenantConnected')

  const reply = await h.bus.request(TokenRequest, { tenantId: app.tenantId })
  if (!reply.ok) throw new Error(reply.message)
  t.equal(JSON.parse(Buffer.from(reply.accessToken.split('.')[1]!, 'base64url').toString()).appid, app.clientId, 'the tenant\'s own app, not the MSP app')
  t.same(Object.keys(simulator.sim.admin.stats(app.tenantId).tokensByClient), [app.clientId])

  // a new secret replaces the old one; still one row, still no plaintext
  const rotated = `rotated-${randomUUID()}`
  simulator.sim.admin.registerApp({ clientId: app.clientId, clientSecret: rotated })
  t.equal((await put(h, clientId, app.tenantId, { clientId: app.clientId, clientSecret: rotated })).statusCode, 200)
  const rows = await h.app.db.select().from(tenantCredentials)
  t.equal(rows.length, 1)
  t.notMatch(JSON.stringify(rows), rotated)
  t.equal(h.events.connected.length, 1, 'already connected: no second TenantConnected')
})

t.test('a certificate: thumbprint and key checked, the private key stored encrypted', async (t) => {
  const simulator = await startSimulator(t)
  const h = await build(t, simulator)
  const clientId = await seedClient(h.app)
  const cert = await createClientCertificate('own-app-cert')
  const app = ownRegistration(simulator, { certificatePem: cert.certPem })
  const res = await put(h, clientId, app.tenantId, { clientId: app.clientId, certificatePem: cert.certPem, privateKeyPem: cert.privateKeyPem })
  t.equal(res.statusCode, 200, res.body)
  t.same(res.json(), { credentialType: 'certificate', clientId: app.clientId })
  const keyLine = cert.privateKeyPem.split('\n')[1]!
  const [raw] = await queryRows<Record<string, unknown>>(h.app.db, sql`select * from tenant_auth.tenant_credentials`)
  t.notMatch(JSON.stringify(raw), keyLine)
  t.equal((await h.bus.request(TokenRequest, { tenantId: app.tenantId })).ok, true)

  const other = await createClientCertificate('not-registered')
  const mismatched = await put(h, clientId, app.tenantId, { clientId: app.clientId, certificatePem: cert.certPem, privateKeyPem: other.privateKeyPem })
  t.equal(mismatched.statusCode, 400)
  t.match(mismatched.json().detail, /body\/privateKeyPem does not belong to body\/certificatePem/)
  const garbage = await put(h, clientId, app.tenantId, { clientId: app.clientId, certificatePem: 'not a cert', privateKeyPem: cert.privateKeyPem })
  t.match(garbage.json(), { status: 400, detail: /body\/certificatePem is not a PEM certificate/ })
  const unknown = await put(h, clientId, app.tenantId, { clientId: app.clientId, certificatePem: other.certPem, privateKeyPem: other.privateKeyPem })
  t.equal(unknown.statusCode, 422, 'a certificate the app does not know')
  t.match(unknown.json().detail, /AADSTS700027/)
})

t.test('credentials Microsoft rejects are not stored; bad bodies and callers are refused', async (t) => {
  const simulator = await startSimulator(t)
  const h = await build(t, simulator)
  const clientId = await seedClient(h.app)
  const other = await seedClient(h.app)
  const app = ownRegistration(simulator, { clientSecret: 'right' })

  const wrong = await put(h, clientId, app.tenantId, { clientId: app.clientId, clientSecret: 'wrong-secret-value' })
  t.equal(wrong.statusCode, 422)
  t.match(wrong.json(), { code: 'CREDENTIALS_REJECTED', detail: /AADSTS7000215: Invalid client secret/ })
  t.notMatch(wrong.body, 'wrong-secret-value')
  const notInTenant = await put(h, clientId, simulator.sim.admin.createTenant({ displayName: 'Elsewhere', userCount: 1 }).tenantId, { clientId: app.clientId, clientSecret: 'right' })
  t.match(notInTenant.json(), { status: 422, detail: /AADSTS700016/ })

  t.match((await put(h, clientId, app.tenantId, { clientId: app.clientId })).json(), { status: 400, code: 'VALIDATION_FAILED' })
  t.match((await put(h, clientId, app.tenantId, { clientId: 'nope', clientSecret: 'right' })).json(), { status: 400, detail: /clientId/ })
  t.equal((await put(h, clientId, app.tenantId, { clientId: app.clientId, clientSecret: 'right' }, asClient(clientId))).statusCode, 403)
  t.equal((await put(h, clientId, app.tenantId, { clientId: app.clientId, clientSecret: 'right' }, asClient(other))).statusCode, 404)
  t.equal((await put(h, randomUUID(), app.tenantId, { clientId: app.clientId, clientSecret: 'right' })).statusCode, 404)
  t.equal((await h.app.db.select().from(tenantCredentials)).length, 0, 'nothing stored')
  t.equal((await h.app.db.select().from(tenants)).length, 0, 'nothing connected')
})

t.test('credentials for a tenant bound to another client: 409', async (t) => {
  const simulator = await startSimulator(t)
  const h = await build(t, simulator)
  const owner = await seedClient(h.app)
  const intruder = await seedClient(h.app)
  const app = ownRegistration(simulator, { clientSecret: 'right' })
  simulator.sim.admin.grantConsent(app.tenantId, simulator.msp.clientId)
  t.equal((await connectTenant(h, simulator, owner, app.tenantId)).statusCode, 200)
  const res = await put(h, intruder, app.tenantId, { clientId: app.clientId, clientSecret: 'right' })
  t.equal(res.statusCode, 409)
  t.match(res.json(), { code: 'TENANT_BOUND_TO_ANOTHER_CLIENT' })
  t.equal((await h.app.db.select().from(tenantCredentials)).length, 0)
})

t.test('key rotation: credentials sealed with the previous key still work and are re-sealed with the new one', async (t) => {
  const simulator = await startSimulator(t)
  const oldKey = '0d'.repeat(32)
  const newKey = '7e'.repeat(32)
  const before = await build(t, simulator, { env: { ENCRYPTION_KEY: oldKey } })
  const clientId = await seedClient(before.app)
  const app = ownRegistration(simulator, { clientSecret: 'rotating' })
  t.equal((await put(before, clientId, app.tenantId, { clientId: app.clientId, clientSecret: 'rotating' })).statusCode, 200)
  const [sealed] = await before.app.db.select().from(tenantCredentials)
  await before.app.close()

  const lost = await build(t, simulator, { databaseUrl: before.databaseUrl, env: { ENCRYPTION_KEY: newKey } })
  t.match(await lost.bus.request(TokenRequest, { tenantId: app.tenantId }), { ok: false, code: 'identity_unavailable', message: /cannot decrypt/ },
    'without the old key: a typed error, never a crash')
  await lost.app.close()

  const after = await build(t, simulator, { databaseUrl: before.databaseUrl, env: { ENCRYPTION_KEY: newKey, ENCRYPTION_KEYS_PREVIOUS: oldKey } })
  t.equal((await after.bus.request(TokenRequest, { tenantId: app.tenantId })).ok, true)
  const [resealed] = await after.app.db.select().from(tenantCredentials)
  t.not(resealed?.keyId, sealed?.keyId, 're-sealed with the current key')
  t.not(resealed?.ciphertext, sealed?.ciphertext)
})
