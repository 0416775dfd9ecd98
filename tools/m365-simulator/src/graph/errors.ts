import { randomUUID } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'

/** Thrown by Graph handlers; the Graph plugin's error handler sends it in Graph's error shape. */
export class GraphError extends Error {
  constructor (readonly status: number, readonly code: string, message: string, readonly headers: Record<string, string> = {}) {
    super(message)
  }
}

export const requestIdOf = (request: FastifyRequest) => {
  const r = request as FastifyRequest & { graphRequestId?: string }
  return (r.graphRequestId ??= randomUUID())
}

export const clientRequestIdOf = (request: FastifyRequest) => {
  const h = request.headers['client-request-id']
  return typeof h === 'string' ? h : requestIdOf(request)
}

export function sendGraphError (request: FastifyRequest, reply: FastifyReply, e: GraphError) {
  const innerError: Record<string, string> = {
    date: new Date().toISOString().slice(0, 19),
    'request-id': requestIdOf(request),
    'client-request-id': clientRequestIdOf(request)
  }
  if (e.status === 429) Object.assign(innerError, { code: '429', status: '429' })
  return reply.code(e.status).headers(e.headers).type('application/json').send({ error: { code: e.code, message: e.message, innerError } })
}

export const Errors = {
  denied: () => new GraphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.'),
  nonPremium: () => new GraphError(403, 'Authentication_RequestFromNonPremiumTenantOrB2CTenant', "Neither tenant is B2C or tenant doesn't have premium license"),
  notFound: (id: string) => new GraphError(404, 'Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`),
  badRequest: (message: string) => new GraphError(400, 'BadRequest', message),
  unsupportedQuery: (message: string) => new GraphError(400, 'Request_UnsupportedQuery', message),
  noProperty: (p: string, type: string) => new GraphError(400, 'BadRequest', `Could not find a property named '${p}' on type 'microsoft.graph.${type}'.`),
  badPageToken: () => new GraphError(400, 'Directory_ExpiredPageToken', 'The specified page token value has expired and can no longer be included in your request.'),
  throttled: (retryAfterSeconds: number) =>
    new GraphError(429, 'TooManyRequests', 'Please retry again later.', { 'retry-after': String(retryAfterSeconds) }),
  unavailable: (retryAfterSeconds?: number) => new GraphError(503, 'serviceNotAvailable', 'The service is temporarily unavailable. Please retry later.',
    retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) }),
  invalidToken: (message: string) => new GraphError(401, 'InvalidAuthenticationToken', message)
}
