import { execFile } from 'node:child_process'
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect } from 'node:tls'
import t from 'tap'
import { fetch } from 'undici'
import { DEMO_APP, startM365Simulator } from '../src/index.js'
import { startSim } from './helper.js'

t.test('the CA is generated once per certDir and reused by later starts', async (t) => {
  const certDir = await mkdtemp(join(tmpdir(), 'm365sim-certs-'))
  const [a, b] = await Promise.all([startM365Simulator({ certDir, fixture: 'none' }), startM365Simulator({ certDir, fixture: 'none' })])
  t.teardown(async () => { await a.close(); await b.close() })
  t.equal(a.caPem, b.caPem, 'concurrent starts agree on one CA')
  t.equal(a.caPath, join(certDir, 'ca.pem'))
  t.equal(await readFile(a.caPath, 'utf8'), a.caPem)
  const c = await startM365Simulator({ certDir, fixture: 'none' })
  t.teardown(() => c.close())
  t.equal(c.caPem, a.caPem, 'a later start reuses the cached CA')
})

t.test('the server certificate names IP:127.0.0.1 and DNS:localhost and chains to the CA', async (t) => {
  const { sim } = await startSim(t, { fixture: 'none' })
  const port = Number(new URL(sim.url).port)
  for (const host of ['127.0.0.1', 'localhost']) {
    const peer = await new Promise<{ san: string, authorized: boolean }>((resolve, reject) => {
      const socket = connect({ host, port, ca: sim.caPem, ...(host === 'localhost' ? { servername: 'localhost' } : {}) }, () => {
        const cert = socket.getPeerCertificate()
        resolve({ san: cert.subjectaltname ?? '', authorized: socket.authorized })
        socket.end()
      })
      socket.on('error', reject)
    })
    t.ok(peer.authorized, `${host}: trusted through the CA`)
    t.match(peer.san, /IP Address:127\.0\.0\.1/)
    t.match(peer.san, /DNS:localhost/)
  }
})

t.test('a client that does not trust the CA is refused', async (t) => {
  const { sim } = await startSim(t, { fixture: 'none' })
  await t.rejects(fetch(`${sim.url}/common/discovery/instance`))
})

t.test('NODE_EXTRA_CA_CERTS=caPath lets an unmodified msal-node (default fetch client) in a fresh process trust the simulator', async (t) => {
  const { sim } = await startSim(t)
  const demo = sim.admin.demoTenants()[0]!
  const host = new URL(sim.url).host
  const script = `
    import { ConfidentialClientApplication } from '@azure/msal-node'
    const cca = new ConfidentialClientApplication({ auth: {
      clientId: '${DEMO_APP.clientId}', clientSecret: '${DEMO_APP.clientSecret}',
      authority: 'https://${host}/${demo.tenantId}', knownAuthorities: ['${host}'] } })
    const r = await cca.acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] })
    const res = await fetch('${sim.url}/v1.0/organization', { headers: { authorization: 'Bearer ' + r.accessToken } })
    console.log((await res.json()).value[0].displayName)`
  const out = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, NODE_EXTRA_CA_CERTS: sim.caPath } }, (err, stdout, stderr) => {
      if (err) reject(new Error(stderr || err.message))
      else resolve(stdout.trim())
    })
  })
  t.equal(out, demo.displayName)
})
