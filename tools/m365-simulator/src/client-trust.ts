import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node'
import { Agent, fetch as undiciFetch } from 'undici'

/**
 * An undici dispatcher that trusts the simulator's CA (and nothing else changes). Works as
 * `fetchOptions: { dispatcher }` for @microsoft/microsoft-graph-client (its HTTPMessageHandler passes
 * the options to Node's global fetch, which accepts an undici Agent) and for plain fetch.
 */
export function createTrustingDispatcher (caPem: string) {
  return new Agent({ connect: { ca: caPem }, keepAliveTimeout: 1000 })
}

/**
 * An msal-node `system.networkClient` that talks through `dispatcher` (in-process trust of the
 * simulator's CA: no NODE_EXTRA_CA_CERTS needed). Mirrors msal's own fetch client: JSON body,
 * lower-case header names.
 * @see https://github.com/AzureAD/microsoft-authentication-library-for-js (msal-node HttpClient)
 */
export function createMsalNetworkClient (dispatcher: Agent): INetworkModule {
  const send = async <T>(url: string, method: 'GET' | 'POST', options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> => {
    const res = await undiciFetch(url, {
      method,
      dispatcher,
      ...(options?.headers ? { headers: options.headers } : {}),
      ...(method === 'POST' ? { body: options?.body ?? '' } : {}),
      ...(timeout ? { signal: AbortSignal.timeout(timeout) } : {})
    })
    const headers: Record<string, string> = {}
    res.headers.forEach((value, key) => { headers[key] = value })
    return { status: res.status, headers, body: (await res.json()) as T }
  }
  return {
    sendGetRequestAsync: (url, options, timeout) => send(url, 'GET', options, timeout),
    sendPostRequestAsync: (url, options) => send(url, 'POST', options)
  }
}

/** msal-node `auth` settings for a tenant on the simulator: authority, knownAuthorities, and metadata so no discovery GET is needed. */
export function simulatorAuthority (simUrl: string, tenantId: string) {
  const host = new URL(simUrl).host
  const base = `https://${host}/${tenantId}`
  return {
    authority: base,
    knownAuthorities: [host],
    authorityMetadata: JSON.stringify({
      token_endpoint: `${base}/oauth2/v2.0/token`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      issuer: `${base}/v2.0`,
      jwks_uri: `${base}/discovery/v2.0/keys`,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`
    })
  }
}

/**
 * `fetchOptions` for @microsoft/microsoft-graph-client's Client.initWithMiddleware: its
 * HTTPMessageHandler calls the global fetch with these options, and Node 20's fetch accepts the
 * npm undici Agent as `dispatcher` (the cast only bridges undici's and undici-types' declarations).
 */
export const graphFetchOptions = (dispatcher: Agent): RequestInit => ({ dispatcher } as unknown as RequestInit)
