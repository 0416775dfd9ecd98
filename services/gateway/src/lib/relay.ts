import type { FastifyReply } from 'fastify'
import type { Dispatcher } from 'undici'

/** Connection-level headers (RFC 9110 §7.6.1) and the ones Node sets itself. */
const NOT_RELAYED = new Set([
  'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer',
  'transfer-encoding', 'upgrade', 'date'
])

/** Sends an upstream answer on: status, end-to-end headers (content-type, location, content-disposition …), the body as a stream. */
export async function relay (reply: FastifyReply, response: Dispatcher.ResponseData): Promise<FastifyReply> {
  reply.code(response.statusCode)
  for (const [name, value] of Object.entries(response.headers)) {
    if (value !== undefined && !NOT_RELAYED.has(name)) reply.header(name, value)
  }
  if (response.statusCode === 204 || response.statusCode === 304) {
    await response.body.dump()
    return reply.send()
  }
  return reply.send(response.body)
}

/** Request headers never passed on to a service. */
export const HOP_BY_HOP = NOT_RELAYED
