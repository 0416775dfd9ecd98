import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { VerifyToken } from '../../auth/verifier.js'
import type { GatewayConfig } from '../../config.js'
import { HttpProblem } from '../../lib/http-problem.js'
import authenticate from '../../plugins/authenticate.js'
import { forwardRoutes } from '../forward.js'
import { clientRoutes, office365Routes } from './clients.js'
import connectCallback from './connect-callback.js'
import { psaConnectionRoutes } from './psa-connections.js'
import { reportRoutes, versionRoutes } from './reports.js'
import { syncRoutes } from './syncs.js'
import { templateRoutes } from './templates.js'
import { tenantRoutes } from './tenants.js'

export interface V1Options { config: GatewayConfig, verify: VerifyToken }

/** Everything under /v1: authenticated (but the consent callback), authorised, rate-limited per principal, forwarded. */
export default async function v1 (app: FastifyInstance, { config, verify }: V1Options): Promise<void> {
  app.removeContentTypeParser('text/plain') // JSON bodies only: anything else is 415
  await app.register(authenticate, { verify })
  // its hook sits on each route, so it runs after the authenticate hook: the principal is known
  // without one (the consent callback) the address: behind a proxy request.ip is the caller's only with TRUST_PROXY
  await app.register(rateLimit, {
    max: config.RATE_LIMIT_MAX,
    timeWindow: config.RATE_LIMIT_WINDOW_MS,
    keyGenerator: rateLimitKey,
    errorResponseBuilder: (_request, context) =>
      new HttpProblem(429, 'RATE_LIMITED', `more than ${context.max} requests in ${context.after}; retry after the seconds in Retry-After`)
  })
  const limit = config.BODY_LIMIT_BYTES
  forwardRoutes(app, 'report', ['Clients'], clientRoutes, limit)
  forwardRoutes(app, 'report', ['Office 365'], office365Routes, limit)
  forwardRoutes(app, 'tenantAuth', ['Tenants'], tenantRoutes, limit)
  forwardRoutes(app, 'graphSync', ['Syncs'], syncRoutes, limit)
  forwardRoutes(app, 'report', ['Templates'], templateRoutes, limit)
  forwardRoutes(app, 'report', ['Reports'], reportRoutes, limit)
  forwardRoutes(app, 'report', ['Report versions'], versionRoutes, limit)
  forwardRoutes(app, 'contactsIngest', ['PSA connections'], psaConnectionRoutes, limit)
  await app.register(connectCallback)
}

/**
 * One budget per principal: a portal user's `sub` is unique only within its client's identity setup, so
 * the client is part of the key (two clients' users with the same `sub` must not share, or starve, one).
 */
export function rateLimitKey (request: FastifyRequest): string {
  const caller = request.caller
  if (!caller) return `ip:${request.ip}`
  return caller.role === 'client' ? `client:${caller.clientId}:${caller.sub}` : `msp:${caller.sub}`
}
