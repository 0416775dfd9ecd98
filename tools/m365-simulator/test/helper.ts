import { ConfidentialClientApplication, type Configuration } from '@azure/msal-node'
import { Client } from '@microsoft/microsoft-graph-client'
import type { Test } from 'tap'
import { fetch, type Agent } from 'undici'
import {
  createMsalNetworkClient, createTrustingDispatcher, graphFetchOptions, simulatorAuthority, startM365Simulator,
  type M365Simulator, type M365SimulatorOptions
} from '../src/index.js'

export const GRAPH_SCOPE = ['https://graph.microsoft.com/.default']

export interface Harness { sim: M365Simulator, dispatcher: Agent }

export async function startSim (t: Test, options: M365SimulatorOptions = {}): Promise<Harness> {
  const sim = await startM365Simulator(options)
  const dispatcher = createTrustingDispatcher(sim.caPem)
  t.teardown(async () => {
    await sim.close()
    await dispatcher.close()
  })
  return { sim, dispatcher }
}

type Credential = Pick<NonNullable<Configuration['auth']>, 'clientSecret' | 'clientCertificate'>

/** A ConfidentialClientApplication pointed at the simulator, trusting its CA in-process. */
export function msalFor (h: Harness, tenantId: string, clientId: string, credential: Credential, opts: { metadata?: boolean } = {}) {
  const { authorityMetadata, ...authority } = simulatorAuthority(h.sim.url, tenantId)
  return new ConfidentialClientApplication({
    auth: { clientId, ...credential, ...authority, ...(opts.metadata ? { authorityMetadata } : {}) },
    system: { networkClient: createMsalNetworkClient(h.dispatcher) }
  })
}

export async function tokenFor (h: Harness, tenantId: string, clientId: string, clientSecret: string) {
  const result = await msalFor(h, tenantId, clientId, { clientSecret }).acquireTokenByClientCredential({ scopes: GRAPH_SCOPE })
  if (!result) throw new Error('no token')
  return result.accessToken
}

/** The Graph SDK client as production builds it, plus the dispatcher that trusts the simulator's CA. */
export function graphClient (h: Harness, getAccessToken: () => Promise<string>) {
  return Client.initWithMiddleware({
    authProvider: { getAccessToken },
    baseUrl: h.sim.url + '/',
    customHosts: new Set([new URL(h.sim.url).hostname]),
    defaultVersion: 'v1.0',
    fetchOptions: graphFetchOptions(h.dispatcher)
  })
}

export interface RawResponse { status: number, headers: Headers, body: any }

/** Raw HTTPS call (no SDK retries) for checking statuses and headers exactly. */
export async function raw (h: Harness, path: string, init: { token?: string, method?: string, headers?: Record<string, string>, body?: unknown, redirect?: 'manual' } = {}): Promise<RawResponse> {
  const url = path.startsWith('https://') ? path : h.sim.url + path
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    dispatcher: h.dispatcher,
    redirect: init.redirect ?? 'follow',
    headers: {
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...init.headers
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) })
  })
  const text = await res.text()
  let body: unknown = text
  try { body = text ? JSON.parse(text) : undefined } catch {}
  return { status: res.status, headers: res.headers as unknown as Headers, body }
}

export async function registerAppAndTenant (h: Harness, input: Parameters<M365Simulator['admin']['createTenant']>[0], app = { clientId: crypto.randomUUID(), clientSecret: 'secret-' + crypto.randomUUID() }) {
  h.sim.admin.registerApp(app)
  const { tenantId } = h.sim.admin.createTenant({ ...input, consentedClientIds: [app.clientId] })
  const token = await tokenFor(h, tenantId, app.clientId, app.clientSecret)
  return { tenantId, app, token }
}
