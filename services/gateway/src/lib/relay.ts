import type { FastifyReply } from 'fastify'
import type { Dispatcher } from 'undici'

/** Connection-level headers (RFC 9110 §7.6.1) and the ones Node sets itself. */
const NOT_RELAYED = new Set([
  'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer',
  'transfer-encoding', 'upgrade', 'date'
])

/**
 * Sends an upstream answer on: status, end-to-end headers (content-type, location, content-disposition …), the body as a stream.
 * A client that takes none of the body for `stallTimeoutMs` is cut off (Node's socket timeout: no byte moved, however slow
 * the reader): its unread body would otherwise hold the service connection it comes over for as long as it stays connected.
 */
export async function relay (reply: FastifyReply, response: Dispatcher.ResponseData, stallTimeoutMs: number): Promise<FastifyReply> {
  reply.code(response.statusCode)
  for (const [name, value] of Object.entries(response.headers)) {
    if (value !== undefined && !NOT_RELAYED.has(name)) reply.header(name, value)
  }
  if (response.statusCode === 204 || response.statusCode === 304) {
    await response.body.dump()
    return reply.send()
  }
  cutOffWhenStalled(reply, stallTimeoutMs)
  return reply.send(response.body)
}

function cutOffWhenStalled (reply: FastifyReply, stallTimeoutMs: number): void {
  const response = reply.raw
  response.setTimeout(stallTimeoutMs, () => {
    reply.log.warn({ stallTimeoutMs }, 'the client took none of the answer for STREAM_STALL_TIMEOUT_MS: cut off')
    response.destroy() // Fastify destroys the upstream body with it, and undici the connection it came over
  })
  // Node sets the keep-alive timeout in place of this one once the answer is sent, and unsets that on the next
  // request; without a keep-alive timeout this one would stay and time the next request on the connection out
  const server = reply.server.server
  const socket = response.socket // detached from the response once it is sent
  if (!server.keepAliveTimeout && socket) response.once('finish', () => { socket.setTimeout(server.timeout) })
}

/** Request headers never passed on to a service. */
export const HOP_BY_HOP = NOT_RELAYED
