import { canReadClient, decodePrincipal, PRINCIPAL_HEADER, type Principal } from '@m365/api'
import type { FastifyRequest } from 'fastify'
import { HttpProblem } from '@m365/service-kit'

/** The caller the gateway authenticated; 401 without one (only the gateway may call these routes). */
export function principalOf (request: FastifyRequest): Principal {
  const principal = decodePrincipal(request.headers[PRINCIPAL_HEADER])
  if (!principal) throw new HttpProblem(401, 'UNAUTHENTICATED', `missing or malformed ${PRINCIPAL_HEADER} header`)
  return principal
}

/** Another client's resources do not exist for a client principal: 404, never their data. */
export function assertCanRead (principal: Principal, clientId: string): void {
  if (!canReadClient(principal, clientId)) throw new HttpProblem(404, 'NOT_FOUND', `client ${clientId} does not exist`)
}

/** Writes are MSP staff's: a client principal gets 403 on its own client (404 on others). */
export function assertMsp (principal: Principal, clientId: string): void {
  assertCanRead(principal, clientId)
  if (principal.role !== 'msp') throw new HttpProblem(403, 'FORBIDDEN', 'client principals are read-only')
}
