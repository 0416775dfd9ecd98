import { randomUUID } from 'node:crypto'
import t from 'tap'
import { TokenRequest } from '@m365/contracts'
import { createClientCertificate } from '@m365/m365-simulator'
import {
  asMsp, build, callback, consent, ENCRYPTION_KEY, headersFor, seedClient, startConnect, startSimulator, waitFor
} from './helper.js'

t.test('no secret, key, state or token reaches the log, at trace level, across every flow', async (t) => {
  const simulator = await startSimulator(t, { tokenLifetimeSeconds: 120 })
  const h = await build(t, simulator) // LOG_LEVEL trace
  const secrets: Record<string, string> = { mspSecret: simulator.msp.clientSecret, encryptionKey: ENCRYPTION_KEY }
  const clientId = await seedClient(h.app)

  // admin consent, with a replication retry on the way
  const { tenantId } = simulator.sim.admin.createTenant({ displayName: 'Logged Co', userCount: 1 })
  const started = (await startConnect(h.app, clientId)).json()
  secrets.state = started.state
  const redirect = await consent(simulator, started.consentUrl, tenantId)
  simulator.sim.admin.revokeConsent(tenantId, simulator.msp.clientId)
  const pending = callback(h.app, redirect)
  await waitFor(() => h.logs.lines.some((l) => l.msg === 'consent not visible yet, retrying'), 'a retry')
  simulator.sim.admin.grantConsent(tenantId, simulator.msp.clientId)
  t.equal((await pending).statusCode, 200)
  t.equal((await callback(h.app, redirect)).statusCode, 400, 'a replay, logged as refused')

  // per-tenant credentials: a secret, a wrong secret, a certificate
  const own = { clientId: randomUUID(), clientSecret: `own-secret-${randomUUID()}` }
  simulator.sim.admin.registerApp(own)
  const ownTenant = simulator.sim.admin.createTenant({ displayName: 'Own Co', userCount: 1, consentedClientIds: [own.clientId] }).tenantId
  secrets.ownSecret = own.clientSecret
  secrets.wrongSecret = `wrong-${randomUUID()}`
  const putCredentials = (tenant: string, payload: Record<string, unknown>) =>
    h.app.inject({ method: 'PUT', url: `/v1/clients/${clientId}/tenants/${tenant}/credentials`, headers: headersFor(asMsp), payload })
  t.equal((await putCredentials(ownTenant, { clientId: own.clientId, clientSecret: secrets.wrongSecret })).statusCode, 422)
  t.equal((await putCredentials(ownTenant, own)).statusCode, 200)
  const cert = await createClientCertificate('logged-cert')
  const certApp = randomUUID()
  simulator.sim.admin.registerApp({ clientId: certApp, certificatePem: cert.certPem })
  const certTenant = simulator.sim.admin.createTenant({ displayName: 'Cert Co', userCount: 1, consentedClientIds: [certApp] }).tenantId
  secrets.privateKey = cert.privateKeyPem.split('\n')[1]!
  t.equal((await putCredentials(certTenant, { clientId: certApp, certificatePem: cert.certPem, privateKeyPem: cert.privateKeyPem })).statusCode, 200)

  // tokens, then a revoked consent and an invalid secret
  for (const tenant of [tenantId, ownTenant, certTenant]) {
    const reply = await h.bus.request(TokenRequest, { tenantId: tenant })
    if (!reply.ok) throw new Error(reply.message)
    secrets[`token-${tenant}`] = reply.accessToken
  }
  simulator.sim.admin.revokeConsent(tenantId, simulator.msp.clientId)
  t.match(await h.bus.request(TokenRequest, { tenantId }), { ok: false, code: 'consent_revoked' })
  simulator.sim.admin.registerApp({ clientId: own.clientId, clientSecret: 'changed-in-entra' })
  t.match(await h.bus.request(TokenRequest, { tenantId: ownTenant }), { ok: false, code: 'credentials_invalid' })
  const denied = (await startConnect(h.app, clientId)).json()
  secrets.deniedState = denied.state
  t.equal((await callback(h.app, await consent(simulator, denied.consentUrl, tenantId, 'deny'))).statusCode, 400)
  await waitFor(() => h.events.revoked.length === 2, 'the events')

  t.ok(h.logs.lines.length > 20, `${h.logs.lines.length} lines captured`)
  t.ok(h.logs.lines.some((l) => l.msg === 'tenant credentials stored'))
  t.ok(h.logs.lines.some((l) => l.msg === 'tenant lost: status changed'))
  for (const [name, value] of Object.entries(secrets)) t.notOk(h.logs.raw.includes(value), `${name} is not logged`)
  // tokens are JWTs: no line may carry even their signature part
  for (const [name, value] of Object.entries(secrets)) {
    if (name.startsWith('token-')) t.notOk(h.logs.raw.includes(value.split('.')[2]!), `${name} signature is not logged`)
  }
})
