import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Dispatcher } from 'undici'
import { encodePrincipal, PRINCIPAL_HEADER } from '@m365/api'
import { problem, sendProblem, UpstreamError, type ServiceClient } from '@m365/service-kit'
import { callerGone } from '../lib/caller-gone.js'
import { relay } from '../lib/relay.js'

/**
 * The handler of a forwarded route: the same method, path, query and JSON body to the service, with
 * the caller's principal; the answer goes back with its status and content type (a 2xx body streamed,
 * a problem as the service worded it). Only a service that cannot be reached becomes the gateway's own
 * problem (503/504, from service-kit's client). A caller who goes away calls the service call off.
 */
export function forwardTo (client: ServiceClient, method: Dispatcher.HttpMethod, stallTimeoutMs: number) {
  return async function forward (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const { path, query } = splitUrl(request.url)
    const signal = callerGone(reply)
    let response: Dispatcher.ResponseData
    try {
      response = await client.raw({
        // Fastify answers HEAD with the GET route: the service is asked for the head only, not a body
        // (a whole CSV export) for the gateway to read and throw away
        method: request.method === 'HEAD' ? 'HEAD' : method,
        path,
        query,
        signal,
        body: request.body ?? undefined,
        headers: {
          [PRINCIPAL_HEADER]: request.caller ? encodePrincipal(request.caller) : undefined,
          'x-request-id': request.id,
          accept: request.headers.accept,
          // report answers 304 to a tag it still stands by (after authorising the caller); relay passes it on
          'if-none-match': request.headers['if-none-match']
        }
      })
    } catch (err) {
      if (err instanceof UpstreamError && err.upstream.status !== undefined) return relayProblem(request, reply, err, err.upstream.status)
      throw err
    }
    return await relay(reply, response, stallTimeoutMs)
  }
}

/**
 * The service answered with a problem: its status too, 5xx included (a service's own 5xx already says
 * no more than "see logs", and a deliberate 503 such as "no Azure app configured" is worth passing on).
 */
function relayProblem (request: FastifyRequest, reply: FastifyReply, err: UpstreamError, status: number): FastifyReply {
  const { code, detail, type, title } = err.problem
  request.log[status >= 500 ? 'warn' : 'info']({ upstream: err.upstream, code, detail }, 'service answered with a problem')
  return sendProblem(reply, {
    ...problem(status, detail ?? `${err.upstream.service} answered ${status}`, request, code),
    ...(type && { type }),
    ...(title && { title })
  })
}

/**
 * The path and the query as received: the service sees what the caller sent, not the gateway's coerced copy;
 * but the path in lower case: its parameters are uuids (validated), which the gateway authorised in lower
 * case and the services compare as text, and its literal segments are lower case already.
 */
export function splitUrl (url: string): { path: string, query: Record<string, string> } {
  const at = url.indexOf('?')
  if (at === -1) return { path: url.toLowerCase(), query: {} }
  return { path: url.slice(0, at).toLowerCase(), query: Object.fromEntries(new URLSearchParams(url.slice(at + 1))) }
}
