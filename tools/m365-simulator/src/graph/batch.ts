import type { FastifyInstance } from 'fastify'
import { graphContext } from './context.js'
import { Errors } from './errors.js'
import { pathVersion } from './odata.js'

interface BatchItem { id: string, method: string, url: string, headers?: Record<string, string>, body?: unknown }

/** JSON batching: ≤ 20 inner requests, each run (and throttled, and counted) as if sent on its own. */
export default async function batchRoutes (app: FastifyInstance) {
  app.post<{ Body: { requests?: BatchItem[] } }>('/$batch', async (request, reply) => {
    const { tenant } = graphContext(request)
    const items = request.body?.requests
    if (!Array.isArray(items) || items.length === 0) throw Errors.badRequest('Invalid batch payload format.')
    if (items.length > 20) throw Errors.badRequest('The batch request contains more than 20 requests, which is the maximum allowed.')
    if (new Set(items.map((i) => i.id)).size !== items.length) throw Errors.badRequest('Batch request ids must be unique.')
    const version = pathVersion(request)
    const responses = await Promise.all(items.map(async (item) => {
      const url = `/${version}${item.url.startsWith('/') ? '' : '/'}${item.url}`
      if (tenant.faults.failsDependency(url.split('?')[0] ?? url)) return failedDependency(item.id)
      const res = await app.inject({
        method: (item.method ?? 'GET').toUpperCase() as 'GET',
        url,
        headers: {
          ...item.headers,
          authorization: request.headers.authorization ?? '',
          host: request.headers.host ?? '127.0.0.1',
          'x-m365sim-batch': '1'
        },
        ...(item.body === undefined ? {} : { payload: JSON.stringify(item.body) })
      })
      const headers: Record<string, string> = {}
      for (const k of ['content-type', 'retry-after', 'location']) {
        const v = res.headers[k]
        if (v !== undefined) headers[k === 'retry-after' ? 'Retry-After' : k === 'content-type' ? 'Content-Type' : 'Location'] = String(v)
      }
      let body: unknown
      try { body = res.body ? JSON.parse(res.body) : undefined } catch { body = res.body }
      return { id: item.id, status: res.statusCode, headers, body }
    }))
    // The throttling doc: a batch with a throttled request fails with 424, its items still in the body.
    if (tenant.faults.current?.batchEnvelope424 && responses.some((r) => r.status === 429)) reply.code(424)
    return { responses }
  })
}

function failedDependency (id: string) {
  return {
    id,
    status: 424,
    headers: { 'Content-Type': 'application/json' },
    body: { error: { code: 'FailedDependency', message: 'The request failed because it depended on another request that failed.' } }
  }
}
