import { Type, type Static } from '@sinclair/typebox'
import { TypeCompiler } from '@sinclair/typebox/compiler'

/**
 * Who is calling, as the gateway established from the bearer JWT. MSP staff see every client;
 * a client portal user sees one client, read-only.
 */
export const Principal = Type.Union([
  Type.Object({ role: Type.Literal('msp'), sub: Type.String() }),
  Type.Object({ role: Type.Literal('client'), sub: Type.String(), clientId: Type.String({ format: 'uuid' }) })
])
export type Principal = Static<typeof Principal>

/** The gateway forwards the principal to internal services in this header; only the gateway is reachable from outside. */
export const PRINCIPAL_HEADER = 'x-m365-principal'

const checkPrincipal = TypeCompiler.Compile(Principal)

export function encodePrincipal (principal: Principal): string {
  return Buffer.from(JSON.stringify(principal)).toString('base64url')
}

/** Returns null for a missing or malformed header. */
export function decodePrincipal (header: string | string[] | undefined): Principal | null {
  if (typeof header !== 'string' || header.length === 0 || header.length > 2048) return null
  try {
    const value: unknown = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'))
    return checkPrincipal.Check(value) ? value : null
  } catch {
    return null
  }
}

/** True when the principal may read data of this client. */
export function canReadClient (principal: Principal, clientId: string): boolean {
  return principal.role === 'msp' || principal.clientId === clientId
}
