import { X509Certificate, createHash, generateKeyPair, randomBytes } from 'node:crypto'
import { mkdir, link, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { isIP } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import forge from 'node-forge'

const DAY = 86_400_000
const generateRsa = promisify(generateKeyPair)

export interface ServerTls {
  caPem: string
  caPath: string
  key: string
  cert: string
}

export const defaultCertDir = () => join(tmpdir(), 'm365-simulator-certs')

/**
 * The CA is cached in certDir and reused across runs; the server certificate is issued fresh at each
 * start so it always names the host the simulator listens on (IP:127.0.0.1, DNS:localhost, + host).
 */
export async function loadServerTls (certDir = defaultCertDir(), host = '127.0.0.1'): Promise<ServerTls> {
  const ca = await loadOrCreateCa(certDir)
  const caPath = join(certDir, 'ca.pem')
  await writeAtomically(caPath, ca.certPem)
  return { caPem: ca.certPem, caPath, ...(await issueServerCert(ca, host)) }
}

interface CaFiles { certPem: string, keyPem: string }

async function loadOrCreateCa (certDir: string): Promise<CaFiles> {
  await mkdir(certDir, { recursive: true })
  const bundlePath = join(certDir, 'ca-bundle.json')
  const existing = await readCa(bundlePath)
  if (existing && new Date(new X509Certificate(existing.certPem).validTo).getTime() - Date.now() > 30 * DAY) return existing
  const tmp = `${bundlePath}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  await writeFile(tmp, JSON.stringify(await createCa()), { mode: 0o600 })
  try {
    if (existing) await rename(tmp, bundlePath) // replace a CA about to expire
    else await link(tmp, bundlePath) // exclusive create: concurrent starters all use the first CA written
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
  } finally {
    await rm(tmp, { force: true })
  }
  const winner = await readCa(bundlePath)
  if (!winner) throw new Error(`m365-simulator: cannot read the CA bundle ${bundlePath}`)
  return winner
}

async function readCa (path: string): Promise<CaFiles | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as CaFiles
    return typeof parsed.certPem === 'string' && typeof parsed.keyPem === 'string' ? parsed : undefined
  } catch {
    return undefined
  }
}

async function rsaKeys () {
  const { publicKey, privateKey } = await generateRsa('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' }
  })
  return { publicKey: forge.pki.publicKeyFromPem(publicKey), privateKey: forge.pki.privateKeyFromPem(privateKey), privateKeyPem: privateKey }
}

function baseCert (publicKey: forge.pki.PublicKey, days: number) {
  const cert = forge.pki.createCertificate()
  cert.publicKey = publicKey
  cert.serialNumber = '01' + randomBytes(15).toString('hex') // positive, 16 bytes
  cert.validity.notBefore = new Date(Date.now() - DAY)
  cert.validity.notAfter = new Date(Date.now() + days * DAY)
  return cert
}

async function createCa (): Promise<CaFiles> {
  const keys = await rsaKeys()
  const cert = baseCert(keys.publicKey, 3650)
  const subject = [{ name: 'commonName', value: 'M365 Simulator Local CA' }, { name: 'organizationName', value: 'm365-insight' }]
  cert.setSubject(subject)
  cert.setIssuer(subject)
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' }
  ])
  cert.sign(keys.privateKey, forge.md.sha256.create())
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.privateKeyPem }
}

async function issueServerCert (ca: CaFiles, host: string) {
  const caCert = forge.pki.certificateFromPem(ca.certPem)
  const keys = await rsaKeys()
  const cert = baseCert(keys.publicKey, 365)
  cert.setSubject([{ name: 'commonName', value: 'localhost' }])
  cert.setIssuer(caCert.subject.attributes)
  const altNames: Array<{ type: number, value?: string, ip?: string }> = [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }]
  if (!['127.0.0.1', 'localhost', '0.0.0.0', '::'].includes(host)) {
    altNames.push(isIP(host) ? { type: 7, ip: host } : { type: 2, value: host })
  }
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() }
  ])
  cert.sign(forge.pki.privateKeyFromPem(ca.keyPem), forge.md.sha256.create())
  return { key: keys.privateKeyPem, cert: forge.pki.certificateToPem(cert) }
}

async function writeAtomically (path: string, content: string) {
  try {
    if (await readFile(path, 'utf8') === content) return
  } catch {}
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  await writeFile(tmp, content)
  await rename(tmp, path)
}

export interface ClientCertificate {
  certPem: string
  privateKeyPem: string
  /** hex SHA-1 of the DER certificate (msal-node's deprecated `thumbprint`) */
  thumbprintSha1: string
  /** hex SHA-256 of the DER certificate (msal-node's `thumbprintSha256`) */
  thumbprintSha256: string
}

/** A self-signed RSA certificate for an app registration's client assertions (msal-node signs them with RS256/PS256). */
export async function createClientCertificate (commonName = 'm365-simulator-client'): Promise<ClientCertificate> {
  const keys = await rsaKeys()
  const cert = baseCert(keys.publicKey, 365)
  cert.setSubject([{ name: 'commonName', value: commonName }])
  cert.setIssuer([{ name: 'commonName', value: commonName }])
  cert.sign(keys.privateKey, forge.md.sha256.create())
  const certPem = forge.pki.certificateToPem(cert)
  return { certPem, privateKeyPem: keys.privateKeyPem, ...thumbprints(certPem) }
}

export function thumbprints (certPem: string) {
  const der = new X509Certificate(certPem).raw
  return {
    thumbprintSha1: createHash('sha1').update(der).digest('hex'),
    thumbprintSha256: createHash('sha256').update(der).digest('hex')
  }
}
