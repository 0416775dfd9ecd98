import { Agent, request, type Dispatcher } from 'undici'
import { CONNECTWISE_KEY_HOSTS, isAllowedKeyUrl } from './key-url.js'

/** Returns the signing key(s) for a key_url: the current one first, then a previous one still in its grace period. */
export type ConnectWiseKeySource = (keyUrl: string, options?: { refresh?: boolean }) => Promise<string | readonly string[]>

export interface ConnectWiseKeyFetcherOptions {
  /** host names or exact origins (see isAllowedKeyUrl); default: the ConnectWise cloud hosts */
  allowedHosts?: readonly string[]
  /** default: a private undici Agent (never the global dispatcher, so no proxy is involved) */
  dispatcher?: Dispatcher
  /** how long a fetched key is used without asking again; default 1 h */
  ttlMs?: number
  /** after a key changes, the previous one still verifies for this long; default 10 min */
  graceMs?: number
  /** a forced refresh (signature mismatch) hits the network at most once per this interval and URL; default 30 s */
  minRefreshMs?: number
  /** default 10 s; the body may be at most maxBytes (default 64 KiB) */
  timeoutMs?: number
  maxBytes?: number
  /** most key URLs kept; default 1000 */
  maxEntries?: number
  now?: () => number
}

export class ConnectWiseKeyError extends Error {
  constructor (message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'ConnectWiseKeyError'
  }
}

interface Entry { keys: string[], fetchedAt: number, previous?: { key: string, until: number } }

/**
 * Fetches `{"signing_key": "..."}` from allow-listed key URLs, caches it per URL and keeps a rotated-out key
 * valid for a grace period. A URL outside the allow-list throws before any network request.
 */
export function createConnectWiseKeyFetcher (options: ConnectWiseKeyFetcherOptions = {}): ConnectWiseKeySource {
  const allowedHosts = options.allowedHosts ?? CONNECTWISE_KEY_HOSTS
  const dispatcher = options.dispatcher ?? new Agent({ connect: { timeout: options.timeoutMs ?? 10_000 } })
  const ttlMs = options.ttlMs ?? 3_600_000
  const graceMs = options.graceMs ?? 600_000
  const minRefreshMs = options.minRefreshMs ?? 30_000
  const maxEntries = options.maxEntries ?? 1000
  const now = options.now ?? Date.now
  const cache = new Map<string, Entry>()
  const inFlight = new Map<string, Promise<Entry>>()

  const current = (entry: Entry): string[] => {
    const keys = [...entry.keys]
    if (entry.previous && entry.previous.until > now() && !keys.includes(entry.previous.key)) keys.push(entry.previous.key)
    return keys
  }

  const load = async (keyUrl: string, old: Entry | undefined): Promise<Entry> => {
    const key = await fetchSigningKey(keyUrl, dispatcher, options.timeoutMs ?? 10_000, options.maxBytes ?? 65_536)
    const entry: Entry = { keys: [key], fetchedAt: now() }
    const oldKey = old?.keys[0]
    if (oldKey !== undefined && oldKey !== key) entry.previous = { key: oldKey, until: now() + graceMs }
    else if (old?.previous) entry.previous = old.previous
    cache.delete(keyUrl)
    cache.set(keyUrl, entry)
    if (cache.size > maxEntries) cache.delete(cache.keys().next().value as string)
    return entry
  }

  return async (keyUrl, { refresh = false } = {}) => {
    if (!isAllowedKeyUrl(keyUrl, allowedHosts)) throw new ConnectWiseKeyError('key_url host is not allowed')
    const cached = cache.get(keyUrl)
    const age = cached ? now() - cached.fetchedAt : Infinity
    if (cached && age < ttlMs && (!refresh || age < minRefreshMs)) return current(cached)
    let pending = inFlight.get(keyUrl)
    if (!pending) {
      pending = load(keyUrl, cached).finally(() => inFlight.delete(keyUrl))
      inFlight.set(keyUrl, pending)
    }
    return current(await pending)
  }
}

async function fetchSigningKey (keyUrl: string, dispatcher: Dispatcher, timeoutMs: number, maxBytes: number): Promise<string> {
  let res: Dispatcher.ResponseData
  try {
    // undici's request() does not follow redirects: a 3xx is simply not a 200.
    res = await request(keyUrl, {
      dispatcher,
      method: 'GET',
      headers: { accept: 'application/json' },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs)
    })
  } catch (err) {
    throw new ConnectWiseKeyError('signing key request failed', { cause: err })
  }
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of res.body) {
    size += (chunk as Buffer).length
    if (size > maxBytes) {
      res.body.destroy()
      throw new ConnectWiseKeyError(`signing key response larger than ${maxBytes} bytes`)
    }
    chunks.push(chunk as Buffer)
  }
  if (res.statusCode !== 200) throw new ConnectWiseKeyError(`signing key request answered ${res.statusCode}`)
  let body: unknown
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch (err) {
    throw new ConnectWiseKeyError('signing key response is not JSON', { cause: err })
  }
  const key = (body as { signing_key?: unknown } | null)?.signing_key
  if (typeof key !== 'string' || key === '') throw new ConnectWiseKeyError('signing key response has no signing_key')
  return key
}
