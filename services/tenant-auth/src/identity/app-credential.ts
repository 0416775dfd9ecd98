import { createHash, createPrivateKey, X509Certificate } from 'node:crypto'
import type { Configuration } from '@azure/msal-node'

/** An app registration's credential: the MSP's multi-tenant app, or a tenant's own registration. */
export type AppCredential =
  | { type: 'client_secret', clientId: string, clientSecret: string }
  | { type: 'certificate', clientId: string, certificatePem: string, privateKeyPem: string }

export class InvalidCertificateError extends Error {
  override readonly name = 'InvalidCertificateError'
  constructor (readonly field: 'certificatePem' | 'privateKeyPem', message: string) { super(message) }
}

/** How the certificate and the key are named in error messages (the request body's fields by default). */
export interface CertificateNames { certificate: string, privateKey: string }

const BODY_NAMES: CertificateNames = { certificate: 'body/certificatePem', privateKey: 'body/privateKeyPem' }

/**
 * Checks a certificate credential and normalises the key to PKCS#8 (what msal-node signs with):
 * the certificate parses and is within its validity, the key parses and belongs to it.
 */
export function normaliseCertificate (
  certificatePem: string, privateKeyPem: string, now = new Date(), names: CertificateNames = BODY_NAMES
): { certificatePem: string, privateKeyPem: string } {
  let cert: X509Certificate
  try {
    cert = new X509Certificate(certificatePem)
  } catch {
    throw new InvalidCertificateError('certificatePem', `${names.certificate} is not a PEM certificate`)
  }
  if (new Date(cert.validTo) < now) throw new InvalidCertificateError('certificatePem', `${names.certificate} expired on ${new Date(cert.validTo).toISOString()}`)
  let key
  try {
    key = createPrivateKey(privateKeyPem)
  } catch {
    throw new InvalidCertificateError('privateKeyPem', `${names.privateKey} is not a PEM private key`)
  }
  if (!cert.checkPrivateKey(key)) throw new InvalidCertificateError('privateKeyPem', `${names.privateKey} does not belong to ${names.certificate}`)
  return { certificatePem: cert.toString(), privateKeyPem: key.export({ format: 'pem', type: 'pkcs8' }).toString() }
}

/** msal-node `auth` credential fields for an AppCredential. */
export function msalCredential (credential: AppCredential): Pick<NonNullable<Configuration['auth']>, 'clientSecret' | 'clientCertificate'> {
  if (credential.type === 'client_secret') return { clientSecret: credential.clientSecret }
  const cert = new X509Certificate(credential.certificatePem)
  return {
    clientCertificate: {
      thumbprintSha256: cert.fingerprint256.replace(/:/g, '').toLowerCase(),
      privateKey: credential.privateKeyPem,
      x5c: credential.certificatePem
    }
  }
}

/** Identifies a credential without revealing it: a changed secret or key gives a new msal client. */
export function credentialFingerprint (credential: AppCredential): string {
  const material = credential.type === 'client_secret' ? credential.clientSecret : credential.privateKeyPem + credential.certificatePem
  return `${credential.clientId}:${createHash('sha256').update(material).digest('hex').slice(0, 16)}`
}
