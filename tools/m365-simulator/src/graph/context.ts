import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { verifyAppToken } from '../identity/access-token.js'
import { ACCEPTS, type Resource } from '../permissions.js'
import type { SimulatorState } from '../state.js'
import type { Tenant } from '../tenant.js'
import { Errors, GraphError, clientRequestIdOf, requestIdOf, sendGraphError } from './errors.js'

export interface GraphContext { tenant: Tenant, clientId: string, roles: Set<string>, endpoint: string }

declare module 'fastify' {
  interface FastifyRequest { m365sim?: GraphContext }
}

export function graphContext (request: FastifyRequest): GraphContext {
  if (!request.m365sim) throw Errors.invalidToken('Access token is empty.')
  return request.m365sim
}

/** The token's roles decide, intersected with the tenant's current grants (so a revoke bites at once). */
export function requirePermission (ctx: GraphContext, resource: Resource) {
  const current = ctx.tenant.consents.get(ctx.clientId)
  if (!ACCEPTS[resource].some((p) => ctx.roles.has(p) && current?.has(p))) throw Errors.denied()
}

export const pathOf = (request: FastifyRequest) => request.url.split('?')[0] ?? request.url

const ODATA_JSON = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8'

/**
 * Hooks every Graph route shares: bearer token → tenant (the token's tid), request counting,
 * per-tenant fault injection and latency, Graph's error shape and response headers.
 */
export function graphHooks (app: FastifyInstance, state: SimulatorState) {
  app.setErrorHandler((err, request, reply) => {
    if (err instanceof GraphError) return sendGraphError(request, reply, err)
    const e = err as { statusCode?: number, message: string }
    if (e.statusCode && e.statusCode < 500) return sendGraphError(request, reply, Errors.badRequest(e.message))
    request.log.error({ err }, 'm365-simulator: graph handler failed')
    return sendGraphError(request, reply, new GraphError(500, 'generalException', 'An unexpected error occurred.'))
  })

  app.setNotFoundHandler((request, reply) => {
    const segment = pathOf(request).split('/').filter(Boolean).pop() ?? ''
    return sendGraphError(request, reply, Errors.badRequest(`Resource not found for the segment '${segment}'.`))
  })

  app.addHook('onRequest', async (request, reply) => {
    reply.header('request-id', requestIdOf(request)).header('client-request-id', clientRequestIdOf(request))
    if (!request.routeOptions.url) return // not found: no auth, as Graph rejects the URL first
    const auth = request.headers.authorization ?? ''
    const m = /^Bearer\s+(\S+)$/i.exec(auth)
    if (!m) throw Errors.invalidToken('Access token is empty.')
    const check = await verifyAppToken(state.signing, m[1]!, state.now())
    if (!check.ok) throw Errors.invalidToken(check.message)
    const tenant = state.tenants.get(check.claims.tid)
    if (!tenant) throw Errors.invalidToken('Access token validation failure. Invalid issuer or tenant.')
    const endpoint = `${request.method} ${request.routeOptions.url}`
    request.m365sim = { tenant, clientId: check.claims.appid, roles: new Set(check.claims.roles), endpoint }
    tenant.stats.request(endpoint)

    const path = pathOf(request)
    const fault = tenant.faults.decide(path, `${request.method} ${path}`)
    if (fault?.type === 'throttle' && fault.early) tenant.stats.retriedEarly()
    if (fault?.type === 'drop' && request.headers['x-m365sim-batch'] === undefined) {
      reply.hijack()
      request.raw.socket?.destroy()
      return
    }
    if (fault?.type === 'throttle') throw Errors.throttled(fault.retryAfterSeconds)
    if (fault?.type === 'unavailable') throw Errors.unavailable(fault.retryAfterSeconds)
    const delay = state.latencyMs + tenant.faults.delayMs(path)
    if (delay > 0) await sleep(delay)
  })

  app.addHook('onSend', async (_request, reply, payload) => {
    const type = reply.getHeader('content-type')
    if (reply.statusCode < 300 && typeof type === 'string' && type.startsWith('application/json')) reply.header('content-type', ODATA_JSON)
    return payload
  })

  app.addHook('onResponse', async (request, reply) => {
    request.m365sim?.tenant.stats.status(request.m365sim.endpoint, reply.statusCode)
  })
}
