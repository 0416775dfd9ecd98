import { request, type Dispatcher } from 'undici'
import { parseRetryAfter, PsaHttpError, withRetry, type RetryOptions } from './retry.js'

/** Transport options every REST client takes. */
export interface HttpOptions {
  /** undici dispatcher (Agent, Pool, MockAgent…); default: undici's global one */
  dispatcher?: Dispatcher
  /** per request; default 30 s */
  timeoutMs?: number
  retry?: RetryOptions
}

export interface JsonRequest {
  method: 'GET' | 'POST'
  url: string
  headers?: Record<string, string>
  body?: string
  /** statuses returned instead of thrown (besides 2xx); e.g. 404 for "deleted" */
  accept?: readonly number[]
}

export interface JsonResponse { status: number, headers: Record<string, string | string[] | undefined>, json: unknown }

/**
 * One JSON request with retry (429/5xx/connection errors, Retry-After honoured).
 * Non-2xx statuses not in `accept` throw PsaHttpError.
 */
export async function requestJson (req: JsonRequest, options: HttpOptions = {}): Promise<JsonResponse> {
  const timeoutMs = options.timeoutMs ?? 30_000
  return await withRetry(async () => {
    const res = await request(req.url, {
      method: req.method,
      headers: { accept: 'application/json', ...req.headers },
      ...(req.body === undefined ? {} : { body: req.body }),
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs
    })
    const text = await res.body.text()
    const ok = res.statusCode >= 200 && res.statusCode < 300
    if (!ok && !(req.accept ?? []).includes(res.statusCode)) {
      throw new PsaHttpError(res.statusCode, req.method, redact(req.url), parseRetryAfter(res.headers['retry-after']), text)
    }
    let json: unknown = null
    if (text.trim() !== '') {
      try {
        json = JSON.parse(text)
      } catch {
        if (ok) throw new PsaHttpError(res.statusCode, req.method, redact(req.url), undefined, 'response is not JSON')
      }
    }
    return { status: res.statusCode, headers: res.headers, json }
  }, options.retry)
}

/** The URL without its query string, for error messages. */
function redact (url: string): string {
  const q = url.indexOf('?')
  return q < 0 ? url : url.slice(0, q)
}

/** `base` + `path`, keeping base's own path (`https://h/v4_6_release/apis/3.0` + `/company/contacts`). */
export function joinUrl (base: string, path: string, query?: Record<string, string | number | boolean | undefined>): string {
  const url = new URL(base.replace(/\/+$/, '') + '/' + path.replace(/^\/+/, ''))
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined) url.searchParams.set(key, String(value))
  }
  return url.toString()
}
