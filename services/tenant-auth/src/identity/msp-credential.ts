import { readFileSync } from 'node:fs'
import type { TenantAuthConfig } from '../config.js'
import { InvalidCertificateError, normaliseCertificate, type AppCredential } from './app-credential.js'

export type MspCredentialConfig = Pick<TenantAuthConfig, 'AZURE_CLIENT_ID' | 'AZURE_CLIENT_SECRET' | 'AZURE_CLIENT_CERTIFICATE_PATH'>

const PATH = 'AZURE_CLIENT_CERTIFICATE_PATH'

/**
 * The MSP's multi-tenant app, from the environment: AZURE_CLIENT_ID with either AZURE_CLIENT_SECRET or
 * AZURE_CLIENT_CERTIFICATE_PATH, a PEM file holding the app's certificate and its private key (the
 * Azure SDKs' convention; Microsoft recommends certificates over secrets for apps in production).
 * None of them set: no MSP app (connect answers 503; per-tenant credentials still work). Anything in
 * between, or a certificate that cannot be used, stops the service at startup with one clear line.
 */
export function mspCredential (config: MspCredentialConfig, now = new Date()): AppCredential | undefined {
  const { AZURE_CLIENT_ID: id, AZURE_CLIENT_SECRET: secret, AZURE_CLIENT_CERTIFICATE_PATH: certificatePath } = config
  if (!id && !secret && !certificatePath) return undefined
  if (!id) throw new Error(`config: AZURE_CLIENT_ID is required with AZURE_CLIENT_SECRET or ${PATH}`)
  if (secret && certificatePath) throw new Error(`config: set AZURE_CLIENT_SECRET or ${PATH}, not both`)
  const clientId = id.toLowerCase()
  if (secret) return { type: 'client_secret', clientId, clientSecret: secret }
  if (!certificatePath) throw new Error(`config: AZURE_CLIENT_ID needs AZURE_CLIENT_SECRET or ${PATH}`)
  return { type: 'certificate', clientId, ...certificateFile(certificatePath, now) }
}

/** The certificate and the private key of a PEM file, checked as a tenant's certificate is (see normaliseCertificate). */
function certificateFile (path: string, now: Date): { certificatePem: string, privateKeyPem: string } {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new Error(`config: ${PATH} ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`)
  }
  const blocks = [...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]+?-----END \1-----/g)]
  const certificate = blocks.find((b) => b[1] === 'CERTIFICATE')?.[0]
  const keys = blocks.filter((b) => b[1]!.endsWith('PRIVATE KEY'))
  if (!certificate) throw new Error(`config: ${PATH} ${path} holds no PEM certificate (BEGIN CERTIFICATE)`)
  if (keys.length === 0) throw new Error(`config: ${PATH} ${path} holds no PEM private key (BEGIN PRIVATE KEY); put the key in the same file`)
  if (keys.some((k) => k[1] === 'ENCRYPTED PRIVATE KEY')) {
    throw new Error(`config: ${PATH} ${path} holds an encrypted private key; give it unencrypted (mount the file as a secret)`)
  }
  try {
    return normaliseCertificate(certificate, keys[0]![0], now, { certificate: `the certificate in ${PATH}`, privateKey: `the private key in ${PATH}` })
  } catch (err) {
    if (err instanceof InvalidCertificateError) throw new Error(`config: ${err.message}`)
    throw err
  }
}
