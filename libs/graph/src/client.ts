import { AuthenticationHandler, Client, GraphError, TelemetryHandler } from '@microsoft/microsoft-graph-client'
import { GraphRequestError } from './errors.js'
import { UndiciHttpHandler } from './http-handler.js'
import { silentLogger, type GraphLogger } from './logger.js'
import { reportRateLimit, type RateLimiter } from './rate-limiter.js'
import { RequestControl } from './request-control.js'
import { defaultRetryPolicy, parseRetryAfter, RetryMiddleware, type RetryOptions, type RetryPolicy } from './retry.js'
import { Semaphore } from './semaphore.js'
import type { GraphTransport } from './transport.js'

export interface GraphClientOptions {
  /** https://graph.microsoft.com in production; the simulator's URL in tests and the demo. */
  baseUrl: string
  /** An app-only token for this client's tenant (msal-node caches and renews it). */
  getAccessToken: () => Promise<string>
  /**
   * Graph answered 401 to a request sent with `token` (expired early, revoked): drop it, so the
   * next getAccessToken gives a fresh one. The request is then sent once more with that token; a
   * second 401 fails the call. Without it a 401 fails the call at once.
   */
  tokenRejected?: (token: string) => void
  transport: GraphTransport
  /** Requests in flight at once. A client serves one tenant, so this is per tenant. */
  maxConcurrency?: number
  log?: GraphLogger
  retry?: RetryOptions
  /** Shared by every report call of this tenant; defaults to Entra's 5 requests / 10 s. */
  reportLimiter?: RateLimiter
}

export interface GraphRequestOptions {
  version?: 'v1.0' | 'beta'
  select?: readonly string[]
  top?: number
  filter?: string
  query?: Record<string, string>
  headers?: Record<string, string>
  limiter?: RateLimiter
  signal?: AbortSignal
}

export type GraphLinkOptions = Pick<GraphRequestOptions, 'headers' | 'limiter' | 'signal'>

export interface GraphClient {
  /** The SDK client (request builder), for calls this library has no helper for. */
  readonly sdk: Client
  readonly reportLimiter: RateLimiter
  /** The retry policy every request of this client follows (for retries of our own, e.g. a batch's items). */
  readonly retryPolicy: RetryPolicy
  /** GET a path relative to the version root, e.g. '/users'. */
  get: <T>(path: string, options?: GraphRequestOptions) => Promise<T>
  /** GET an absolute link Graph returned (@odata.nextLink, @odata.deltaLink) exactly as given. */
  getLink: <T>(url: string, options?: GraphLinkOptions) => Promise<T>
  /** POST a JSON body to a path relative to the version root, e.g. '/$batch'. */
  post: <T>(path: string, body: unknown, options?: Pick<GraphRequestOptions, 'version' | 'headers' | 'signal'>) => Promise<T>
}

/**
 * A Graph client for one tenant: the SDK's request builder over our own middleware chain
 * (retry → SDK auth → SDK telemetry → undici), so there is one retry policy and every request
 * goes through the transport's dispatcher. A 401 is sent again once with a fresh token (see
 * `tokenRejected`). Failures reject with GraphRequestError.
 */
export function createGraphClient (opts: GraphClientOptions): GraphClient {
  const base = new URL(opts.baseUrl)
  if (base.protocol !== 'https:') throw new Error(`Graph baseUrl must be https: ${opts.baseUrl}`)
  const policy = { ...defaultRetryPolicy, ...opts.retry }
  const slots = new Semaphore(opts.maxConcurrency ?? 4)
  const sdk = Client.initWithMiddleware({
    baseUrl: base.origin,
    defaultVersion: 'v1.0',
    // The SDK adds the token only for Graph hosts and these (hostnames, no port).
    customHosts: new Set([base.hostname]),
    middleware: [
      new RetryMiddleware(policy, opts.log ?? silentLogger, opts.tokenRejected),
      new AuthenticationHandler({ getAccessToken: () => opts.getAccessToken() }),
      new TelemetryHandler(),
      new UndiciHttpHandler({ dispatcher: opts.transport.dispatcher, slots, timeoutMs: policy.timeoutMs })
    ]
  })

  async function send<T> (url: string, o: GraphRequestOptions, verbatim: boolean, body?: { json: unknown }): Promise<T> {
    const control = new RequestControl({
      ...(verbatim ? { verbatimUrl: url } : {}),
      ...(o.limiter ? { limiter: o.limiter } : {}),
      ...(o.signal ? { signal: o.signal } : {})
    })
    const request = sdk.api(url).middlewareOptions([control])
    if (!verbatim) request.version(o.version ?? 'v1.0')
    if (o.select?.length) request.select([...o.select])
    if (o.top !== undefined) request.top(o.top)
    if (o.filter !== undefined) request.filter(o.filter)
    if (o.query) request.query(o.query)
    if (o.headers) request.headers(o.headers)
    try {
      return await (body ? request.post(body.json) : request.get()) as T
    } catch (err) {
      throw toGraphRequestError(err, control)
    }
  }

  return {
    sdk,
    reportLimiter: opts.reportLimiter ?? reportRateLimit(),
    retryPolicy: policy,
    get: (path, options = {}) => send(path, options, false),
    getLink: (url, options = {}) => send(url, options, true),
    post: (path, json, options = {}) => send(path, options, false, { json })
  }
}

function toGraphRequestError (err: unknown, control: RequestControl): GraphRequestError {
  if (err instanceof GraphRequestError) return err
  if (!(err instanceof GraphError)) {
    return new GraphRequestError({ status: 0, code: 'client_error', message: (err as Error)?.message ?? String(err), cause: err })
  }
  const status = err.statusCode > 0 ? err.statusCode : 0
  const transport = control.lastError
  return new GraphRequestError({
    status,
    code: status ? err.code ?? `http_${status}` : transportCode(transport ?? err),
    message: err.message || (status ? `Graph answered HTTP ${status}` : 'no response from Graph'),
    requestId: err.requestId ?? err.headers?.get('request-id') ?? null,
    location: err.headers?.get('location') ?? null,
    retryAfterMs: parseRetryAfter(err.headers?.get('retry-after')),
    cause: status ? err : transport ?? err
  })
}

/** 'timeout', 'aborted' (the caller's signal), the socket error code (ECONNRESET, …) or 'network_error'. */
function transportCode (err: unknown): string {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (e.name === 'TimeoutError') return 'timeout'
    if (e.name === 'AbortError') return 'aborted'
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string') return code
  }
  return 'network_error'
}
