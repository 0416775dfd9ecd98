/** A non-2xx answer of the public API; `body` is its text (application/problem+json as a rule). */
export class ApiError extends Error {
  constructor (readonly method: string, readonly path: string, readonly status: number, readonly body: string) {
    super(`${method} ${path} answered ${status}: ${body.slice(0, 500)}`)
  }
}

export interface RawResponse { status: number, headers: Headers, text: string }

/**
 * The public API as an MSP tool or the portal calls it: bearer token, JSON in and out, errors thrown
 * as ApiError (with the status, so a test can expect a 404 or 409 while something converges).
 */
export function apiClient (baseUrl: string, token: string) {
  async function raw (method: string, path: string, options: { body?: unknown, accept?: string } = {}): Promise<RawResponse> {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: options.accept ?? 'application/json' }
    if (options.body !== undefined) headers['content-type'] = 'application/json'
    const res = await fetch(new URL(path, baseUrl), {
      method,
      headers,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      signal: AbortSignal.timeout(60_000)
    })
    return { status: res.status, headers: res.headers, text: await res.text() }
  }
  async function call<T> (method: string, path: string, body?: unknown): Promise<T> {
    const res = await raw(method, path, { body })
    if (res.status < 200 || res.status >= 300) throw new ApiError(method, path, res.status, res.text)
    return (res.text ? JSON.parse(res.text) : undefined) as T
  }
  return {
    baseUrl,
    raw,
    get: <T>(path: string) => call<T>('GET', path),
    post: <T>(path: string, body?: unknown) => call<T>('POST', path, body ?? {}),
    put: <T>(path: string, body: unknown) => call<T>('PUT', path, body),
    patch: <T>(path: string, body: unknown) => call<T>('PATCH', path, body),
    delete: <T>(path: string) => call<T>('DELETE', path)
  }
}

export type Api = ReturnType<typeof apiClient>

export interface Page<T> { items: T[], nextCursor: string | null }

/** Every item of a cursor-paged list (`path` may carry a query already). */
export async function listAll<T> (api: Api, path: string, limit = 500): Promise<T[]> {
  const items: T[] = []
  let cursor: string | null = null
  do {
    const sep = path.includes('?') ? '&' : '?'
    const page: Page<T> = await api.get(`${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
    items.push(...page.items)
    cursor = page.nextCursor
  } while (cursor)
  return items
}
