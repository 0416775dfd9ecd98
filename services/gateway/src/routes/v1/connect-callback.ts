import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import { ConsentCallbackConnected, ConsentCallbackFailed, ConsentCallbackQuery } from '@m365/api'
import { callerGone } from '../../lib/caller-gone.js'
import { relay } from '../../lib/relay.js'
import { ref } from '../schemas.js'

// tenant-auth's failures carry Microsoft's error; the gateway's own (bad query, rate limit, tenant-auth down) are plain problems
const failed = {
  description: 'The tenant was not connected: a page for a browser, or problem+json',
  content: { 'application/problem+json': { schema: Type.Union([ConsentCallbackFailed, ref('Problem')]) }, 'text/html': { schema: Type.String() } }
}

/**
 * GET /v1/connect/callback: where Microsoft sends the admin back after consent. Public (the signed,
 * single-use state is the authority); passed to tenant-auth with its query string, and its answer
 * (an HTML page, or JSON when asked) comes back as it is.
 */
export default async function connectCallback (app: FastifyInstance): Promise<void> {
  const upstream = app.upstreams.consentCallback
  app.get('/connect/callback', {
    logLevel: 'warn', // the URL carries the state
    config: { access: { public: true } },
    schema: {
      tags: ['Tenants'],
      operationId: 'completeTenantConnection',
      summary: "Microsoft's admin-consent redirect target (public): completes the connection",
      security: [],
      querystring: ConsentCallbackQuery,
      response: {
        200: {
          description: 'Connected',
          content: { 'application/json': { schema: ConsentCallbackConnected }, 'text/html': { schema: Type.String() } }
        },
        '4xx': failed,
        '5xx': failed
      }
    }
  }, async (request, reply) => {
    const response = await upstream.request({
      method: 'GET',
      url: request.url,
      headers: {
        accept: request.headers.accept ?? 'text/html',
        'x-request-id': request.id,
        ...(request.headers['accept-language'] && { 'accept-language': request.headers['accept-language'] })
      },
      signal: callerGone(reply)
    })
    return await relay(reply, response, app.upstreams.stallTimeoutMs)
  })
}
