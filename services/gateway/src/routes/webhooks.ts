import type { FastifyInstance } from 'fastify'
import { PRINCIPAL_HEADER } from '@m365/api'
import { callerGone } from '../lib/caller-gone.js'
import { HOP_BY_HOP, relay } from '../lib/relay.js'

const NOT_FORWARDED = new Set([...HOP_BY_HOP, 'host', 'content-length', 'expect', PRINCIPAL_HEADER])

/**
 * POST /webhooks/* (single-process mode): passed to contacts-ingest exactly as the PSA sent it. The
 * body is read as bytes, never parsed, so the HMAC over it still holds; every header (signatures,
 * Halo's Authorization) goes on as received. contacts-ingest verifies, and its answer goes back as is.
 */
export default async function webhooks (app: FastifyInstance, { bodyLimit }: { bodyLimit: number }): Promise<void> {
  const upstream = app.upstreams.webhooks
  if (!upstream) return
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_request, body, done) => { done(null, body) })

  app.post('/webhooks/*', { bodyLimit }, async (request, reply) => {
    const headers: Record<string, string | string[]> = {}
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined && !NOT_FORWARDED.has(name)) headers[name] = value
    }
    headers['x-forwarded-for'] = request.ip
    const response = await upstream.request({
      method: 'POST',
      url: request.url,
      headers,
      ...(Buffer.isBuffer(request.body) && { body: request.body }),
      signal: callerGone(reply)
    })
    return await relay(reply, response, app.upstreams.stallTimeoutMs)
  })
}
