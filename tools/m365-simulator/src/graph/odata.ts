import type { FastifyRequest } from 'fastify'
import { Errors } from './errors.js'

export type Query = Record<string, string | string[] | undefined>

/** A query option by name; Graph also accepts them without the `$`. */
export function option (request: FastifyRequest, name: string): string | undefined {
  const q = request.query as Query
  const v = q[`$${name}`] ?? q[name]
  return Array.isArray(v) ? v[0] : v
}

export function parseSelect (raw: string | undefined, known: ReadonlySet<string>, type: string): string[] | undefined {
  if (raw === undefined || raw.trim() === '') return undefined
  const props = raw.split(',').map((p) => p.trim()).filter(Boolean)
  for (const p of props) if (!known.has(p)) throw Errors.noProperty(p, type)
  return [...new Set(props)]
}

export function parseTop (raw: string | undefined, fallback: number, max = 999): number {
  if (raw === undefined) return fallback
  const n = Number(raw)
  if (!/^-?\d+$/.test(raw.trim())) throw Errors.badRequest(`Invalid $top value '${raw}'.`)
  if (n < 1 || n > max) throw Errors.unsupportedQuery(`Invalid page size specified: '${raw}'. Must be between 1 and ${max} inclusive.`)
  return n
}

/** `Prefer: odata.maxpagesize=N` (what Graph honours where $top is not supported). */
export function maxPageSize (request: FastifyRequest, fallback: number, max = 999): number {
  const prefer = request.headers.prefer
  const m = /odata\.maxpagesize=(\d+)/i.exec(Array.isArray(prefer) ? prefer.join(',') : prefer ?? '')
  return m ? Math.min(max, Math.max(1, Number(m[1]))) : fallback
}

export const prefers = (request: FastifyRequest, token: string) => {
  const prefer = request.headers.prefer
  return (Array.isArray(prefer) ? prefer.join(',') : prefer ?? '').toLowerCase().includes(token)
}

export const hasEventualConsistency = (request: FastifyRequest) =>
  String(request.headers.consistencylevel ?? '').toLowerCase() === 'eventual'

/** Page and delta tokens: opaque to clients (base64url JSON), tied to a tenant. */
export function encodeToken (payload: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(payload)).toString('base64url')
}

export function decodeToken<T extends { t: string }> (raw: string, tenantId: string): T {
  try {
    const parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as T
    if (parsed && typeof parsed === 'object' && parsed.t === tenantId) return parsed
  } catch {}
  throw Errors.badPageToken()
}

export const baseOf = (request: FastifyRequest) => `https://${request.headers.host ?? '127.0.0.1'}`

/** The request's own URL with `$skiptoken` replaced: Graph's nextLink keeps the original query. */
export function nextLinkFor (request: FastifyRequest, skiptoken: string): string {
  const url = new URL(request.url, baseOf(request))
  url.searchParams.delete('$skiptoken')
  url.searchParams.delete('skiptoken')
  url.searchParams.set('$skiptoken', skiptoken)
  return url.toString().replace(/%24/g, '$').replace(/%2C/gi, ',')
}

export function contextUrl (request: FastifyRequest, fragment: string, select?: string[]) {
  const version = pathVersion(request)
  return `${baseOf(request)}/${version}/$metadata#${fragment}${select ? `(${select.join(',')})` : ''}`
}

export const pathVersion = (request: FastifyRequest) => (request.url.startsWith('/beta') ? 'beta' : 'v1.0')

export function project<T extends object> (obj: T, select: readonly string[]): Partial<T> {
  const out: Record<string, unknown> = {}
  const src = obj as Record<string, unknown>
  for (const k of select) if (src[k] !== undefined) out[k] = src[k]
  return out as Partial<T>
}
