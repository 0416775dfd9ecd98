import { randomUUID } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { TokenRequest } from '@m365/contracts'
import { createClientCertificate } from '@m365/m365-simulator'
import { build, CALLBACK_URL, connectTenant, seedClient, startSimulator } from '../helper.js'

const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>

t.test('the MSP app with a certificate (AZURE_CLIENT_CERTIFICATE_PATH): consent, the confirming call and tokens sign a client assertion', async (t) => {
  const simulator = await startSimulator(t)
  const cert = await createClientCertificate('msp-app-certificate')
  // an MSP app that has a certificate and no secret at all
  const mspApp = { clientId: randomUUID(), displayName: 'MSP app (certificate)', redirectUris: [CALLBACK_URL], certificatePem: cert.certPem }
  simulator.sim.admin.registerApp(mspApp)
  const dir = await mkdtemp(join(tmpdir(), 'msp-cert-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const pemPath = join(dir, 'msp-app.pem')
  await writeFile(pemPath, `${cert.certPem}${cert.privateKeyPem}`, { mode: 0o600 })

  const h = await build(t, simulator, { env: { AZURE_CLIENT_ID: mspApp.clientId, AZURE_CLIENT_SECRET: '', AZURE_CLIENT_CERTIFICATE_PATH: pemPath } })
  const clientId = await seedClient(h.app)
  const { tenantId } = simulator.sim.admin.createTenant({ displayName: 'Certified Ltd', userCount: 1 })
  const res = await connectTenant(h, simulator, clientId, tenantId)
  t.equal(res.statusCode, 200, res.body)
  t.match(res.json(), { outcome: 'connected', tenantId, displayName: 'Certified Ltd' }, 'the callback confirmed the tenant with a certificate token')

  const reply = await h.bus.request(TokenRequest, { tenantId })
  if (!reply.ok) throw new Error(reply.message)
  t.match(claimsOf(reply.accessToken), { appid: mspApp.clientId, tid: tenantId, appidacr: '2' }, 'issued for the MSP app, authenticated by certificate')
  t.same(Object.keys(simulator.sim.admin.stats(tenantId).tokensByClient), [mspApp.clientId])
  t.notMatch(h.logs.raw, cert.privateKeyPem.split('\n')[1]!, 'no key material in the logs')
})
