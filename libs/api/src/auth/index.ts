import { Type, type Static } from '@sinclair/typebox'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import type { Principal } from '../principal.js'

/**
 * The claims of the bearer JWT the gateway accepts (besides iss, aud, exp, which it checks against
 * its configuration): who (`sub`), MSP staff or a client portal user (`role`), and for the latter
 * the one client it may read (`client_id`, which a `msp` token must not carry).
 */
export const TokenClaims = Type.Union([
  Type.Object({ sub: Type.String({ minLength: 1, maxLength: 256 }), role: Type.Literal('msp') }),
  Type.Object({
    sub: Type.String({ minLength: 1, maxLength: 256 }),
    role: Type.Literal('client'),
    client_id: Type.String({ format: 'uuid' })
  })
])
export type TokenClaims = Static<typeof TokenClaims>

export const TOKEN_ROLES = ['msp', 'client'] as const
export type TokenRole = typeof TOKEN_ROLES[number]

const checkClaims = TypeCompiler.Compile(TokenClaims)

/** The principal a verified token's payload stands for, or a reason it stands for none. */
export function principalFromClaims (payload: Record<string, unknown>): { principal: Principal } | { error: string } {
  // contradictory claims (an IdP rule giving a portal user the msp role too) never get the wider principal
  if (payload.role === 'msp' && 'client_id' in payload) return { error: 'an msp token carries no client_id claim' }
  if (!checkClaims.Check(payload)) {
    if (payload.role !== 'msp' && payload.role !== 'client') return { error: 'the token has no role claim of msp or client' }
    if (typeof payload.sub !== 'string' || payload.sub === '') return { error: 'the token has no sub claim' }
    return { error: 'a client token needs a client_id claim (a uuid)' }
  }
  const claims = payload as TokenClaims
  return claims.role === 'msp'
    ? { principal: { role: 'msp', sub: claims.sub } }
    : { principal: { role: 'client', sub: claims.sub, clientId: claims.client_id.toLowerCase() } }
}

/** The claims for a principal: what a token minted for it carries. */
export function claimsFor (principal: Principal): TokenClaims {
  return principal.role === 'msp'
    ? { sub: principal.sub, role: 'msp' }
    : { sub: principal.sub, role: 'client', client_id: principal.clientId }
}
