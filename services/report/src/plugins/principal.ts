import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { canReadClient, decodePrincipal, PRINCIPAL_HEADER, type Principal } from '@m365/api'
import { HttpProblem, notFound } from '@m365/service-kit'

declare module 'fastify' {
  interface FastifyRequest {
    /** Set for every /v1 route from the gateway's header; a request without one is 401. */
    principal: Principal
  }
}

const unauthorized = () => new HttpProblem(401, 'PRINCIPAL_MISSING', 'no valid principal: call through the gateway')
const readOnly = () => new HttpProblem(403, 'CLIENT_PRINCIPAL_READ_ONLY', 'client principals may only read')

/** The client a principal is limited to, or undefined for MSP staff (all clients). */
export const clientScope = (principal: Principal): string | undefined =>
  principal.role === 'client' ? principal.clientId : undefined

/** Writes are for MSP staff only: a client principal gets 403 whatever it names. */
export function assertMsp (request: FastifyRequest): void {
  if (request.principal.role !== 'msp') throw readOnly()
}

/** Another client's id answers exactly like an unknown one. */
export function assertCanReadClient (request: FastifyRequest, clientId: string): void {
  if (!canReadClient(request.principal, clientId)) throw notFound(`client ${clientId}`)
}

/** Adds the principal hook to the encapsulated plugin it is registered in (the /v1 routes). */
export const principalHook = fp(async (app: FastifyInstance) => {
  app.decorateRequest('principal', null as never)
  app.addHook('onRequest', async (request) => {
    const principal = decodePrincipal(request.headers[PRINCIPAL_HEADER])
    if (!principal) throw unauthorized()
    // before body validation: a client principal's write is 403 whatever it sends
    if (principal.role !== 'msp' && request.method !== 'GET' && request.method !== 'HEAD') throw readOnly()
    request.principal = principal
  })
}, { name: 'principal' })
