import { STATUS_CODES } from 'node:http'
import type { TSchema } from '@sinclair/typebox'
import type { FastifyInstance, FastifyRequest, HTTPMethods } from 'fastify'
import type { Access } from '../plugins/authenticate.js'
import type { UpstreamName } from '../plugins/upstreams.js'
import { forwardTo } from '../upstreams/forward.js'
import { ref } from './schemas.js'

/** A response given per media type: `{ 'application/json': { schema }, 'text/csv': { schema } }`. */
export interface ContentMap { description?: string, content: Record<string, { schema: TSchema }> }

/** One public route, forwarded unchanged (same path, same query, same JSON body) to the service that owns it. */
export interface ForwardRoute {
  method: Extract<HTTPMethods, 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'>
  /** Fastify syntax: /v1/clients/:clientId */
  url: string
  operationId: string
  summary: string
  description?: string
  params?: TSchema
  querystring?: TSchema
  body?: TSchema
  /** the success statuses (204: no body) */
  responses: Record<number, TSchema | ContentMap | null>
  /** statuses beyond the usual ones (409, 422, …) */
  problems?: number[]
  /** a POST without a body means `{}` (the document still asks for one: @fastify/swagger marks every body required) */
  optionalBody?: boolean
  access?: Access
}

const problem = { description: 'Problem details (RFC 9457)', content: { 'application/problem+json': { schema: ref('Problem') } } }

/**
 * What any route may answer besides its own: bad input, no token, not yours, too large, too many, a failure
 * of ours (500, "see logs", the gateway's or the service's as relayed), the service down.
 */
function problemResponses (route: ForwardRoute): Record<string, ContentMap> {
  const write = route.method !== 'GET'
  const statuses = new Set<number>([404, 429, 500, 502, 503, 504, ...(route.problems ?? [])])
  if (route.params ?? route.querystring ?? route.body) statuses.add(400)
  if (!route.access?.public) statuses.add(401)
  if (write) statuses.add(403)
  if (route.body) { statuses.add(413); statuses.add(415) }
  return Object.fromEntries([...statuses].sort().map((status) => [status, problem]))
}

function successResponse (status: number, schema: TSchema | ContentMap | null): unknown {
  const description = STATUS_CODES[status] ?? 'Success'
  if (schema === null) return { description, type: 'null' }
  if ('content' in schema && !('type' in schema)) return schema
  return { description, content: { 'application/json': { schema } } }
}

/** Registers each route on `app` with its full OpenAPI description, forwarding to `upstream` over internal HTTP. */
export function forwardRoutes (app: FastifyInstance, upstream: UpstreamName, tags: string[], routes: ForwardRoute[], bodyLimit: number): void {
  const client = app.upstreams.clients[upstream]
  for (const route of routes) {
    app.route({
      method: route.method,
      url: route.url,
      bodyLimit,
      config: { access: route.access ?? {} },
      schema: {
        tags,
        operationId: route.operationId,
        summary: route.summary,
        ...(route.description && { description: route.description }),
        ...(route.access?.public && { security: [] }),
        ...(route.params && { params: route.params }),
        ...(route.querystring && { querystring: defaultsOptional(route.querystring) }),
        ...(route.body && { body: route.body }),
        response: {
          ...Object.fromEntries(Object.entries(route.responses).map(([status, schema]) => [status, successResponse(Number(status), schema)])),
          ...problemResponses(route)
        }
      },
      ...(route.optionalBody && { preValidation: async (request: FastifyRequest) => { request.body ??= {} } }),
      handler: forwardTo(client, route.method, app.upstreams.stallTimeoutMs)
    })
  }
}

/**
 * A query parameter with a default (limit) is not required of the caller: validation fills it in. The
 * shared schemas list it as required (their Static type has it), so the document would say otherwise.
 */
function defaultsOptional (schema: TSchema): TSchema {
  const properties = (schema.properties ?? {}) as Record<string, { default?: unknown }>
  if (!Array.isArray(schema.required)) return schema
  return { ...schema, required: (schema.required as string[]).filter((name) => properties[name]?.default === undefined) }
}
