import { writeFile } from 'node:fs/promises'
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from 'jose'
import { claimsFor } from '@m365/api'

// The gateway's local-key mode (single-process mode, no identity provider): it verifies tokens signed
// with the ES256 private JWK in JWT_LOCAL_KEY_FILE, issuer and audience as below (services/gateway/src/auth/local-key.ts).
const ISSUER = 'urn:m365-insight:local'
const AUDIENCE = 'urn:m365-insight:api'

/** Writes a fresh key file for the gateway and returns an MSP bearer token it accepts. */
export async function gatewayKeyAndToken (file: string): Promise<string> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true })
  const jwk = await exportJWK(privateKey)
  const kid = await calculateJwkThumbprint(jwk)
  await writeFile(file, JSON.stringify({ ...jwk, kid, alg: 'ES256', use: 'sig' }), { mode: 0o600 })
  return await new SignJWT({ ...claimsFor({ role: 'msp', sub: 'bench' }) })
    .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(privateKey)
}
