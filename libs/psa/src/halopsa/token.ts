import { joinUrl, requestJson, type HttpOptions } from '../http.js'
import { PsaHttpError } from '../retry.js'
import { PsaPayloadError } from '../validation.js'

export interface HaloTokenOptions extends HttpOptions {
  /** the auth server, e.g. `https://acme.halopsa.com/auth` */
  authUrl: string
  /** hosted Halo: `?tenant=<tenant>` */
  tenant?: string
  clientId: string
  clientSecret: string
  /** default `all` */
  scope?: string
  now?: () => number
}

/** An access token source: client credentials at `POST {authUrl}/token`, cached until shortly before expiry. */
export interface HaloTokenSource {
  token (): Promise<string>
  /** forget the cached token (after a 401) */
  invalidate (): void
}

export function createHaloTokenSource (options: HaloTokenOptions): HaloTokenSource {
  const now = options.now ?? Date.now
  let cached: { token: string, expiresAt: number } | undefined
  let pending: Promise<string> | undefined

  async function fetchToken (): Promise<string> {
    const url = joinUrl(options.authUrl, 'token', { tenant: options.tenant })
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: options.clientId,
      client_secret: options.clientSecret,
      scope: options.scope ?? 'all'
    }).toString()
    const res = await requestJson({
      method: 'POST', url, body, headers: { 'content-type': 'application/x-www-form-urlencoded' }
    }, options)
    const json = res.json as { access_token?: unknown, expires_in?: unknown } | null
    if (typeof json?.access_token !== 'string') throw new PsaPayloadError('halopsa', 'access_token', 'is required')
    const ttl = typeof json.expires_in === 'number' ? json.expires_in * 1000 : 3_600_000
    cached = { token: json.access_token, expiresAt: now() + Math.max(0, ttl - 60_000) }
    return json.access_token
  }

  return {
    async token () {
      if (cached && cached.expiresAt > now()) return cached.token
      pending ??= fetchToken().finally(() => { pending = undefined })
      return await pending
    },
    invalidate () { cached = undefined }
  }
}

/** Runs `call` with a token; on a 401 gets a fresh token once and tries again. */
export async function withToken<T> (source: HaloTokenSource, call: (token: string) => Promise<T>): Promise<T> {
  try {
    return await call(await source.token())
  } catch (err) {
    if (!(err instanceof PsaHttpError) || err.status !== 401) throw err
    source.invalidate()
    return await call(await source.token())
  }
}
