import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { Principal } from '@m365/api'
import { TokenKeysUnavailable, TokenRejected, type VerifyToken } from '../auth/verifier.js'
import { HttpProblem, notFound, readOnly } from '../lib/http-problem.js'

/** Per route (config.access): who may call it besides MSP staff. */
export interface Access {
  /** no token: the consent callback (its signed state is the authority) */
  public?: boolean
  /** MSP staff's own resources (templates, PSA connections): to a client token they do not exist */
  mspOnly?: boolean
}

declare module 'fastify' {
  interface FastifyContextConfig { access?: Access }
  interface FastifyRequest {
    /** The verified caller; null only on public routes. */
    caller: Principal | null
  }
}

const REALM = 'm365-insight'
const READS = new Set(['GET', 'HEAD', 'OPTIONS'])

function unauthorized (detail: string, error?: 'invalid_request' | 'invalid_token'): HttpProblem {
  const challenge = error
    ? `Bearer realm="${REALM}", error="${error}", error_description="${detail.replace(/["\\]/g, "'")}"`
    : `Bearer realm="${REALM}"`
  return new HttpProblem(401, 'UNAUTHENTICATED', detail, { 'www-authenticate': challenge })
}

async function principalOf (request: FastifyRequest, verify: VerifyToken): Promise<Principal> {
  const header = request.headers.authorization
  if (!header) throw unauthorized('a bearer token is required (Authorization: Bearer <JWT>)')
  const match = /^Bearer +([A-Za-z0-9._~+/-]+=*)$/i.exec(header)
  if (!match?.[1]) throw unauthorized('the Authorization header must be "Bearer <JWT>"', 'invalid_request')
  try {
    return await verify(match[1])
  } catch (err) {
    if (err instanceof TokenRejected) throw unauthorized(err.message, 'invalid_token')
    if (err instanceof TokenKeysUnavailable) throw Object.assign(new HttpProblem(503, 'TOKEN_KEYS_UNAVAILABLE', err.message), { cause: err })
    throw err
  }
}

/**
 * A client token reads its own client only: another client's id in the path answers 404 exactly like
 * an unknown one, and writes answer 403. Ids without a client in the path (report versions, syncs, …)
 * are scoped by the owning service from the forwarded principal.
 */
function authorise (request: FastifyRequest, principal: Principal, access: Access): void {
  if (principal.role === 'msp') return
  const clientId = (request.params as { clientId?: string } | undefined)?.clientId
  if (clientId !== undefined && clientId.toLowerCase() !== principal.clientId) throw notFound(`client ${clientId}`)
  if (!READS.has(request.method)) throw readOnly()
  if (access.mspOnly) throw notFound(request.url.split('?')[0] ?? 'this resource')
}

/** Authenticates and authorises every route of the context it is registered in (before the body is read). */
export default fp(async (app: FastifyInstance, { verify }: { verify: VerifyToken }) => {
  app.decorateRequest('caller', null)
  app.addHook('onRequest', async (request) => {
    if (request.is404) return
    const access = request.routeOptions.config.access ?? {}
    if (access.public) return
    const principal = await principalOf(request, verify)
    request.caller = principal
    authorise(request, principal, access)
  })
}, { name: 'authenticate' })
