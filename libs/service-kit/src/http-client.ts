import { Pool, type Dispatcher } from 'undici'
import type { Problem } from '@m365/api'
import type { ProblemCarrier } from './errors.js'

export interface ServiceRequest {
  method?: Dispatcher.HttpMethod
  /** `/v1/reports/…` (no query string: use `query`) */
  path: string
  query?: Record<string, string | number | boolean | undefined | null>
  /** Sent as JSON. */
  body?: unknown
  /** e.g. the principal and `x-request-id` the gateway forwards */
  headers?: Record<string, string | undefined>
  timeoutMs?: number
  /** Calls the request off, its body included: the promise (or the body stream) fails with the signal's reason. */
  signal?: AbortSignal
}

/**
 * What another service answered with a non-2xx, or why it could not be reached. Thrown inside a
 * route, service-kit's error handler relays it: a 4xx keeps its status and problem (type, title,
 * detail, code); a 5xx upstream becomes 502, unreachable 503, a timeout 504, logged with this error.
 */
export class UpstreamError extends Error implements ProblemCarrier {
  override readonly name = 'UpstreamError'
  constructor (
    readonly statusCode: number,
    readonly problem: Partial<Problem>,
    readonly upstream: { service: string, method: string, path: string, status?: number }
  ) {
    super(`${upstream.service} ${upstream.method} ${upstream.path}: ${upstream.status ?? 'unreachable'} ${problem.detail ?? ''}`.trim())
  }
}

export interface ServiceClient {
  readonly baseUrl: string
  /** JSON in, JSON out (undefined for 204); non-2xx throws UpstreamError. */
  request<T = unknown>(request: ServiceRequest): Promise<T>
  /** The 2xx response unread, for passing a body through (CSV export); non-2xx throws UpstreamError. */
  raw(request: ServiceRequest): Promise<Dispatcher.ResponseData>
  close(): Promise<void>
}

export interface ServiceClientOptions {
  /** Name in errors and logs (default: the base URL's host). */
  service?: string
  /** Keep-alive connections (default 32). */
  connections?: number
  /** Per request (default 30 s). */
  timeoutMs?: number
  headers?: Record<string, string>
}

/**
 * An internal HTTP client over one undici Pool (keep-alive) for service-to-service calls.
 * @see https://undici.nodejs.org/#/docs/api/Pool
 */
export function createServiceClient (baseUrl: string, options: ServiceClientOptions = {}): ServiceClient {
  const origin = new URL(baseUrl)
  const basePath = origin.pathname.replace(/\/$/, '')
  const service = options.service ?? origin.host
  const pool = new Pool(origin.origin, { connections: options.connections ?? 32 })

  async function send (request: ServiceRequest): Promise<Dispatcher.ResponseData> {
    const method = request.method ?? 'GET'
    const path = basePath + request.path + queryString(request.query)
    const timeout = request.timeoutMs ?? options.timeoutMs ?? 30_000
    const headers: Record<string, string> = { accept: 'application/json, application/problem+json', ...options.headers }
    for (const [name, value] of Object.entries(request.headers ?? {})) if (value !== undefined) headers[name] = value
    if (request.body !== undefined) headers['content-type'] = 'application/json'
    let response: Dispatcher.ResponseData
    // undici's headersTimeout starts once the request is on a socket: a request queued behind busy connections
    // (say, CSV exports their readers never drain) would wait for ever, so the answer's head has a deadline too
    const deadline = new AbortController()
    const timer = setTimeout(() => { deadline.abort(new Error(`no answer within ${timeout} ms`)) }, timeout)
    try {
      response = await pool.request({
        method,
        path,
        headers,
        body: request.body === undefined ? null : JSON.stringify(request.body),
        headersTimeout: timeout,
        bodyTimeout: timeout,
        signal: request.signal ? AbortSignal.any([request.signal, deadline.signal]) : deadline.signal
      })
    } catch (err) {
      // the caller called it off (say, its own client went away): its reason, not the service's failure
      if (request.signal?.aborted) throw request.signal.reason
      const code = (err as { code?: string }).code ?? ''
      const timedOut = code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || deadline.signal.aborted
      const error = new UpstreamError(timedOut ? 504 : 503, { detail: `${service} ${timedOut ? 'timed out' : 'unreachable'}: ${(err as Error).message}` },
        { service, method, path: request.path })
      throw Object.assign(error, { cause: err })
    } finally {
      clearTimeout(timer)
    }
    if (response.statusCode >= 400) throw await upstreamError(response, { service, method, path: request.path })
    return response
  }

  return {
    baseUrl,
    raw: send,
    async request<T> (request: ServiceRequest): Promise<T> {
      const response = await send(request)
      if (response.statusCode === 204) {
        await response.body.dump()
        return undefined as T
      }
      const text = await response.body.text()
      return (text === '' ? undefined : JSON.parse(text)) as T
    },
    close: () => pool.close()
  }
}

async function upstreamError (response: Dispatcher.ResponseData, where: { service: string, method: string, path: string }): Promise<UpstreamError> {
  const status = response.statusCode
  const text = await response.body.text().catch(() => '')
  let body: Partial<Problem> = {}
  try {
    const parsed: unknown = JSON.parse(text)
    if (parsed && typeof parsed === 'object') body = parsed as Partial<Problem>
  } catch {
    body = { detail: text.slice(0, 500) }
  }
  const problem: Partial<Problem> = {
    ...(typeof body.type === 'string' && { type: body.type }),
    ...(typeof body.title === 'string' && { title: body.title }),
    ...(typeof body.code === 'string' && { code: body.code }),
    detail: typeof body.detail === 'string' ? body.detail : `${where.service} answered ${status}`
  }
  return new UpstreamError(status >= 500 ? 502 : status, problem, { ...where, status })
}

function queryString (query: ServiceRequest['query']): string {
  if (!query) return ''
  const params = new URLSearchParams()
  for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== null) params.set(name, String(value))
  const text = params.toString()
  return text ? `?${text}` : ''
}
