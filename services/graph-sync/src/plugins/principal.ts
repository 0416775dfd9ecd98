import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { canReadClient, decodePrincipal, PRINCIPAL_HEADER, type Principal } from '@m365/api'
import { notFound, readOnly, unauthorized } from '../lib/errors.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** Set for every /v1 route from the gateway's header; a request without one is 401. */
    principal: Principal
  }
}

/** Writes are for MSP staff only: a client principal gets 403 whatever it names. */
export function assertMsp (request: FastifyRequest): void {
  if (request.principal.role !== 'msp') throw readOnly()
}

/** Another client's resource answers exactly like an unknown one. */
export function assertCanReadClient (request: FastifyRequest, clientId: string, what: string): void {
  if (!canReadClient(request.principal, clientId)) throw notFound(what)
}

/** Adds the principal hook to the encapsulated plugin it is registered in (the /v1 routes). */
export const principalHook = fp(async (app: FastifyInstance) => {
  app.decorateRequest<Principal | null>('principal', null)
  app.addHook('onRequest', async (request) => {
    const principal = decodePrincipal(request.headers[PRINCIPAL_HEADER])
    if (!principal) throw unauthorized()
    request.principal = principal
  })
}, { name: 'principal' })
