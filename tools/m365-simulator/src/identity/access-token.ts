import { randomUUID } from 'node:crypto'
import { SignJWT, exportJWK, generateKeyPair, jwtVerify, type JWK, type JWTPayload, type CryptoKey } from 'jose'

export interface SigningKeys { kid: string, privateKey: CryptoKey, publicKey: CryptoKey, jwk: JWK }

export const GRAPH_AUDIENCES = ['https://graph.microsoft.com', '00000003-0000-0000-c000-000000000000']

export async function createSigningKeys (): Promise<SigningKeys> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true })
  const kid = randomUUID().replaceAll('-', '').slice(0, 27)
  return { kid, privateKey, publicKey, jwk: { ...(await exportJWK(publicKey)), kid, use: 'sig', alg: 'RS256' } }
}

export interface AppTokenClaims extends JWTPayload {
  tid: string
  appid: string
  roles: string[]
  idtyp: 'app'
}

/** An app-only Graph token shaped like Entra's v1 tokens (iss sts.windows.net, appid, roles, tid). */
export async function issueAppToken (keys: SigningKeys, args: {
  tenantId: string, clientId: string, appDisplayName: string, roles: string[], nowMs: number, lifetimeSeconds: number, certificate: boolean
}) {
  const iat = Math.floor(args.nowMs / 1000)
  const issuer = `https://sts.windows.net/${args.tenantId}/`
  const token = await new SignJWT({
    aio: randomUUID(),
    app_displayname: args.appDisplayName,
    appid: args.clientId,
    appidacr: args.certificate ? '2' : '1',
    idp: issuer,
    idtyp: 'app',
    oid: args.clientId,
    roles: args.roles,
    tid: args.tenantId,
    uti: randomUUID().replaceAll('-', ''),
    ver: '1.0'
  })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: keys.kid })
    .setIssuer(issuer)
    .setSubject(args.clientId)
    .setAudience(GRAPH_AUDIENCES[0]!)
    .setIssuedAt(iat)
    .setNotBefore(iat - 300)
    .setExpirationTime(iat + args.lifetimeSeconds)
    .sign(keys.privateKey)
  return { token, expiresIn: args.lifetimeSeconds }
}

export type TokenCheck = { ok: true, claims: AppTokenClaims } | { ok: false, message: string }

export async function verifyAppToken (keys: SigningKeys, token: string, nowMs: number): Promise<TokenCheck> {
  try {
    const { payload } = await jwtVerify(token, keys.publicKey, { audience: GRAPH_AUDIENCES, currentDate: new Date(nowMs), algorithms: ['RS256'] })
    if (typeof payload.tid !== 'string' || typeof payload.appid !== 'string' || !Array.isArray(payload.roles)) {
      return { ok: false, message: 'Access token validation failure.' }
    }
    return { ok: true, claims: payload as AppTokenClaims }
  } catch (err) {
    const code = (err as { code?: string }).code
    if (code === 'ERR_JWT_EXPIRED') return { ok: false, message: 'Lifetime validation failed, the token is expired.' }
    if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED') return { ok: false, message: 'Access token validation failure. Invalid audience.' }
    if (code === 'ERR_JWS_INVALID' || code === 'ERR_JWT_INVALID') return { ok: false, message: 'IDX14100: JWT is not well formed, there are no dots (.).' }
    return { ok: false, message: 'Access token validation failure.' }
  }
}
