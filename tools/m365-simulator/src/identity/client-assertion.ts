import { X509Certificate } from 'node:crypto'
import { base64url, decodeProtectedHeader, importX509, jwtVerify } from 'jose'
import { thumbprints } from '../certs.js'
import type { AppRegistration } from '../state.js'
import { AADSTS, type AadError } from './errors.js'

const hexOf = (b64u: string) => Buffer.from(base64url.decode(b64u)).toString('hex')
const derToPem = (b64: string) => `-----BEGIN CERTIFICATE-----\n${b64.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`

/**
 * Checks a private_key_jwt client assertion: the signing certificate (x5t / x5t#S256) must be one
 * registered on the app; the signature is verified with the registered certificate, or with the x5c
 * chain msal may send when that certificate's thumbprint is registered. Returns an error or undefined.
 */
export async function checkClientAssertion (app: AppRegistration, assertion: string, nowMs: number): Promise<AadError | undefined> {
  let header: ReturnType<typeof decodeProtectedHeader>
  try {
    header = decodeProtectedHeader(assertion)
  } catch {
    return AADSTS.badAssertion('Client assertion is not a valid JWT.')
  }
  const x5t = typeof header.x5t === 'string' ? hexOf(header.x5t) : undefined
  const x5t256 = typeof header['x5t#S256'] === 'string' ? hexOf(header['x5t#S256']) : undefined
  const used = x5t256 ?? x5t
  if (!used || !app.thumbprints.has(used)) {
    return AADSTS.badAssertion(`The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${(used ?? '').toUpperCase()}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${app.clientId}'.]`)
  }
  let certPem = app.certificatePem
  const x5c = Array.isArray(header.x5c) ? header.x5c[0] : undefined
  if (!certPem && typeof x5c === 'string') {
    const pem = derToPem(x5c)
    const tp = thumbprints(new X509Certificate(pem).toString())
    if (app.thumbprints.has(tp.thumbprintSha1) || app.thumbprints.has(tp.thumbprintSha256)) certPem = pem
  }
  if (!certPem) return undefined // only a thumbprint registered and no chain sent: nothing to verify against
  try {
    const key = await importX509(certPem, header.alg ?? 'RS256')
    const { payload } = await jwtVerify(assertion, key, { currentDate: new Date(nowMs), clockTolerance: 300 })
    if (payload.iss !== app.clientId || payload.sub !== app.clientId) return AADSTS.badAssertion('Client assertion iss and sub must be the client id.')
    const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud]
    if (!aud.some((a) => typeof a === 'string' && /\/oauth2\/(v2\.0\/)?token$/.test(a))) {
      return AADSTS.badAssertion('Client assertion audience claim does not match the token endpoint.')
    }
    return undefined
  } catch (err) {
    const code = (err as { code?: string }).code
    if (code === 'ERR_JWT_EXPIRED' || code === 'ERR_JWT_CLAIM_VALIDATION_FAILED') return AADSTS.assertionTime()
    return AADSTS.badAssertion('Client assertion failed signature validation.')
  }
}
