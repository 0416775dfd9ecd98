import { readFileSync } from 'node:fs'
import tls from 'node:tls'
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node'
import { Agent, request, type Dispatcher } from 'undici'

export interface GraphTransportOptions {
  /** PEM of one more CA to trust besides the system's (the simulator's CA in tests and the demo). */
  extraCaPem?: string
  /** Keep-alive connections per origin. */
  connections?: number
}

/** One HTTPS stack for everything that talks to Microsoft: msal-node's token calls and Graph. */
export interface GraphTransport {
  dispatcher: Dispatcher
  /** For msal-node's `system.networkClient`, so token requests use the same trust and pool. */
  msalNetworkClient: INetworkModule
  close: () => Promise<void>
}

/**
 * The CAs Node trusts by default: its bundled roots plus NODE_EXTRA_CA_CERTS. Giving undici a `ca`
 * replaces the default list, so the defaults have to be listed again next to the extra CA.
 */
function defaultCas (): string[] {
  const fromApi = (tls as { getCACertificates?: (kind: string) => string[] }).getCACertificates
  if (fromApi) return fromApi('default')
  const extraFile = process.env.NODE_EXTRA_CA_CERTS
  let extra: string[] = []
  if (extraFile) {
    try { extra = [readFileSync(extraFile, 'utf8')] } catch { /* Node ignores an unreadable file too */ }
  }
  return [...tls.rootCertificates, ...extra]
}

export function createGraphTransport (opts: GraphTransportOptions = {}): GraphTransport {
  const dispatcher = new Agent({
    connections: opts.connections ?? 32,
    ...(opts.extraCaPem ? { connect: { ca: [...defaultCas(), opts.extraCaPem] } } : {})
  })
  return {
    dispatcher,
    msalNetworkClient: createMsalNetworkClient(dispatcher),
    close: () => dispatcher.close()
  }
}

/**
 * msal-node's INetworkModule on undici: resolves `{ headers (lower-case names), body (parsed
 * JSON), status }` for every HTTP status, as msal's own fetch client does; rejects on network
 * failures, timeouts and bodies that are not JSON.
 * @see @azure/msal-node src/network/HttpClient.ts (v7) for the contract
 */
export function createMsalNetworkClient (dispatcher: Dispatcher): INetworkModule {
  async function send<T> (method: 'GET' | 'POST', url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    let res: Dispatcher.ResponseData
    try {
      res = await request(url, {
        method,
        dispatcher,
        headers: options?.headers ?? {},
        ...(method === 'POST' ? { body: options?.body ?? '' } : {}),
        ...(timeout ? { signal: AbortSignal.timeout(timeout) } : {})
      })
    } catch (err) {
      throw new Error(`Network request failed: ${(err as Error).message}`, { cause: err })
    }
    const text = await res.body.text()
    let body: T
    try {
      body = (text === '' ? {} : JSON.parse(text)) as T
    } catch (err) {
      throw new Error(`Failed to parse response from ${new URL(url).host} (HTTP ${res.statusCode})`, { cause: err })
    }
    const headers: Record<string, string> = {}
    for (const [name, value] of Object.entries(res.headers)) {
      if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value
    }
    return { headers, body, status: res.statusCode }
  }
  return {
    sendGetRequestAsync: (url, options, timeout) => send('GET', url, options, timeout),
    sendPostRequestAsync: (url, options) => send('POST', url, options)
  }
}
