import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { canReadClient, decodePrincipal, PRINCIPAL_HEADER, type Principal } from '@m365/api'
import { HttpProblem, notFound } from './errors.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller the gateway authenticated, on the routes principalHook guards (401 without one). */
    principal: Principal
  }
}

export interface PrincipalOptions {
  /**
   * What a client principal may do here: 'read' (default) GET and HEAD, every other method is 403;
   * 'none' nothing at all (routes for MSP staff only), 403.
   */
  clients?: 'read' | 'none'
  /**
   * The route parameter naming a client (`clientId`): a client principal naming another client gets 404
   * on any method, before the 403 of a write, so it learns nothing about other clients.
   */
  clientParam?: string
}

const READS = new Set(['GET', 'HEAD'])

export const unauthorized = () => new HttpProblem(401, 'PRINCIPAL_MISSING', 'no valid principal: call through the gateway')
export const readOnly = () => new HttpProblem(403, 'CLIENT_PRINCIPAL_READ_ONLY', 'client principals may only read')
export const mspOnly = () => new HttpProblem(403, 'MSP_ONLY', 'these routes are for MSP staff only')

/** The client a principal is limited to, or undefined for MSP staff (all clients). */
export const clientScope = (principal: Principal): string | undefined =>
  principal.role === 'client' ? principal.clientId : undefined

/** Writes are for MSP staff only: a client principal gets 403 whatever it names. */
export function assertMsp (request: FastifyRequest): void {
  if (request.principal.role !== 'msp') throw readOnly()
}

/** Another client's resource answers exactly like an unknown one: 404 naming `what`. */
export function assertCanReadClient (request: FastifyRequest, clientId: string, what = `client ${clientId}`): void {
  if (!canReadClient(request.principal, clientId)) throw notFound(what)
}

/**
 * Guards the routes of the encapsulated plugin it is registered in (the service's /v1 routes): every
 * request needs the principal the gateway forwards (401 without), and a client principal's write is
 * refused with 403 in onRequest, before its body is validated, so it learns nothing from a 400.
 */
export const principalHook = fp(async (app: FastifyInstance, options: PrincipalOptions) => {
  const { clients = 'read', clientParam } = options
  app.decorateRequest('principal', null as never)
  app.addHook('onRequest', async (request) => {
    const principal = decodePrincipal(request.headers[PRINCIPAL_HEADER])
    if (!principal) throw unauthorized()
    if (principal.role === 'client') {
      const named = clientParam === undefined ? undefined : (request.params as Record<string, string | undefined>)[clientParam]
      if (named !== undefined && named !== principal.clientId) throw notFound(`client ${named}`)
      if (clients === 'none') throw mspOnly()
      if (!READS.has(request.method)) throw readOnly()
    }
    request.principal = principal
  })
}, { name: 'principal' })
