import { createPrivateKey } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { createClientCertificate } from '@m365/m365-simulator'
import { ConfigError, loadConfig } from '@m365/service-kit'
import { TenantAuthConfig } from '../src/index.js'
import { mspCredential } from '../src/identity/msp-credential.js'

const key = 'ab'.repeat(32)

t.test('defaults for the identity platform, Graph and the consent flow', async (t) => {
  const config = loadConfig(TenantAuthConfig, { ENCRYPTION_KEY: key })
  t.match(config, {
    AUTHORITY_HOST: 'https://login.microsoftonline.com',
    GRAPH_BASE_URL: 'https://graph.microsoft.com',
    CONNECT_STATE_TTL_SECONDS: 600
  })
  t.equal(mspCredential(config), undefined, 'no Azure app: connect answers 503, per-tenant credentials still work')
})

t.test('a missing or malformed ENCRYPTION_KEY is one clear config line', async (t) => {
  t.throws(() => loadConfig(TenantAuthConfig, {}), new ConfigError(['ENCRYPTION_KEY is required']))
  const err = t.throws(() => loadConfig(TenantAuthConfig, { ENCRYPTION_KEY: 'abc' })) as Error
  t.match(err.message, /^config: ENCRYPTION_KEY must be 64 hex characters/)
  t.notMatch(err.message, /abc/, 'the bad value is not echoed')
  t.match((t.throws(() => loadConfig(TenantAuthConfig, { ENCRYPTION_KEY: key, ENCRYPTION_KEYS_PREVIOUS: `${key},nope` })) as Error).message,
    /ENCRYPTION_KEYS_PREVIOUS must be comma-separated keys/)
  t.match((t.throws(() => loadConfig(TenantAuthConfig, { ENCRYPTION_KEY: key, AUTHORITY_HOST: 'http://login.example' })) as Error).message, /AUTHORITY_HOST must be an https/)
})

t.test('the MSP app: its id with a secret or a certificate file, or nothing; anything in between stops startup', async (t) => {
  const id = '5E3D1C2B-7A4F-4E8D-9B6C-1F2A3B4C5D6E'
  const config = (env: Record<string, string>) => loadConfig(TenantAuthConfig, { ENCRYPTION_KEY: key, ...env })
  t.same(mspCredential(config({ AZURE_CLIENT_ID: id, AZURE_CLIENT_SECRET: 's' })),
    { type: 'client_secret', clientId: id.toLowerCase(), clientSecret: 's' })
  t.throws(() => mspCredential(config({ AZURE_CLIENT_ID: id })), /AZURE_CLIENT_ID needs AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH/)
  t.throws(() => mspCredential(config({ AZURE_CLIENT_SECRET: 's' })), /AZURE_CLIENT_ID is required/)

  const dir = await mkdtemp(join(tmpdir(), 'msp-cert-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const cert = await createClientCertificate('msp-app')
  const file = async (name: string, text: string) => {
    const path = join(dir, name)
    await writeFile(path, text)
    return path
  }
  const both = await file('msp.pem', `${cert.privateKeyPem}\n${cert.certPem}`)
  const credential = mspCredential(config({ AZURE_CLIENT_ID: id, AZURE_CLIENT_CERTIFICATE_PATH: both }))
  t.match(credential, { type: 'certificate', clientId: id.toLowerCase(), certificatePem: /^-----BEGIN CERTIFICATE-----/, privateKeyPem: /^-----BEGIN PRIVATE KEY-----/ },
    'key and certificate in one PEM file, in either order; the key normalised to PKCS#8')

  const fails = (env: Record<string, string>, message: RegExp, what: string, now?: Date) =>
    t.throws(() => mspCredential(config({ AZURE_CLIENT_ID: id, ...env }), now), message, what)
  fails({ AZURE_CLIENT_SECRET: 's', AZURE_CLIENT_CERTIFICATE_PATH: both }, /set AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH, not both/, 'both')
  fails({ AZURE_CLIENT_CERTIFICATE_PATH: join(dir, 'missing.pem') }, /AZURE_CLIENT_CERTIFICATE_PATH .*missing\.pem cannot be read \(ENOENT\)/, 'no such file')
  fails({ AZURE_CLIENT_CERTIFICATE_PATH: await file('key.pem', cert.privateKeyPem) }, /holds no PEM certificate/, 'the key alone')
  fails({ AZURE_CLIENT_CERTIFICATE_PATH: await file('cert.pem', cert.certPem) }, /holds no PEM private key .*put the key in the same file/, 'the certificate alone')
  const encrypted = createPrivateKey(cert.privateKeyPem).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }).toString()
  fails({ AZURE_CLIENT_CERTIFICATE_PATH: await file('encrypted.pem', `${cert.certPem}${encrypted}`) }, /holds an encrypted private key/, 'an encrypted key')
  const other = await createClientCertificate('another')
  fails({ AZURE_CLIENT_CERTIFICATE_PATH: await file('mismatch.pem', `${cert.certPem}${other.privateKeyPem}`) },
    /^config: the private key in AZURE_CLIENT_CERTIFICATE_PATH does not belong to the certificate in AZURE_CLIENT_CERTIFICATE_PATH$/, 'a key of another certificate')
  fails({ AZURE_CLIENT_CERTIFICATE_PATH: both }, /^config: the certificate in AZURE_CLIENT_CERTIFICATE_PATH expired on /, 'an expired certificate',
    new Date(Date.now() + 400 * 86_400_000))
  const keyOnly = await file('k.pem', cert.privateKeyPem)
  const message = (() => {
    try {
      mspCredential(config({ AZURE_CLIENT_ID: id, AZURE_CLIENT_CERTIFICATE_PATH: keyOnly }))
      return ''
    } catch (err) {
      return (err as Error).message
    }
  })()
  t.ok(message.startsWith('config: ') && !message.includes(cert.privateKeyPem.split('\n')[1]!), 'no key material in the message')
})
