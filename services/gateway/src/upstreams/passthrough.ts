import { Pool, type Dispatcher } from 'undici'
import { HttpProblem } from '../lib/http-problem.js'

export interface PassthroughRequest {
  method: Dispatcher.HttpMethod
  /** path and query string, as received */
  url: string
  headers: Record<string, string | string[]>
  body?: Buffer
  /** calls the request off (the caller went away): it fails with the signal's reason */
  signal?: AbortSignal
}

/** Any answer of the upstream, unread: status, headers and body are relayed as they are. */
export interface Passthrough {
  readonly service: string
  request(request: PassthroughRequest): Promise<Dispatcher.ResponseData>
  close(): Promise<void>
}

/**
 * For the two routes whose answers are not JSON-or-problem: the consent callback (HTML pages for a
 * browser) and PSA webhooks (the PSA reads the status; the bytes must reach contacts-ingest untouched).
 * Only an unreachable or silent upstream becomes a problem (503/504).
 * @see https://undici.nodejs.org/#/docs/api/Pool
 */
export function createPassthrough (baseUrl: string, options: { service: string, timeoutMs: number }): Passthrough {
  const origin = new URL(baseUrl)
  const basePath = origin.pathname.replace(/\/$/, '')
  const pool = new Pool(origin.origin, { connections: 16 })
  return {
    service: options.service,
    async request ({ method, url, headers, body, signal }) {
      try {
        return await pool.request({
          method,
          path: basePath + url,
          headers,
          body: body ?? null,
          headersTimeout: options.timeoutMs,
          bodyTimeout: options.timeoutMs,
          signal
        })
      } catch (err) {
        if (signal?.aborted) throw signal.reason
        const code = (err as { code?: string }).code ?? ''
        const timedOut = code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT'
        throw Object.assign(
          new HttpProblem(timedOut ? 504 : 503, timedOut ? 'UPSTREAM_TIMEOUT' : 'UPSTREAM_UNAVAILABLE', `${options.service} ${timedOut ? 'timed out' : 'unreachable'}`),
          { cause: err }
        )
      }
    },
    close: () => pool.close()
  }
}
