import { ConfidentialClientApplication } from '@azure/msal-node'
import { DEMO_APP, startM365Simulator, type M365Simulator } from '@m365/m365-simulator'
import {
  createGraphClient, createGraphTransport, type GraphClient, type GraphClientOptions, type GraphLogger, type GraphTransport
} from '@m365/graph'

interface Teardown { teardown: (fn: () => unknown) => void }

export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default'

/** A simulator of our own for this test file (a free port, its own state), closed on teardown. */
export async function startSimulator (t: Teardown, fixture: 'demo' | 'none' = 'demo'): Promise<M365Simulator> {
  const sim = await startM365Simulator({ fixture })
  t.teardown(() => sim.close())
  return sim
}

/** The transport production uses, plus trust in the simulator's CA (no NODE_EXTRA_CA_CERTS). */
export function simulatorTransport (t: Teardown, sim: M365Simulator): GraphTransport {
  const transport = createGraphTransport({ extraCaPem: sim.caPem })
  t.teardown(() => transport.close())
  return transport
}

/** msal-node against the simulator's authority: knownAuthorities only, so discovery runs over our network client too. */
export function simulatorCca (sim: M365Simulator, transport: GraphTransport, tenantId: string, clientSecret: string = DEMO_APP.clientSecret) {
  const host = new URL(sim.url).host
  return new ConfidentialClientApplication({
    auth: { clientId: DEMO_APP.clientId, clientSecret, authority: `${sim.url}/${tenantId}`, knownAuthorities: [host] },
    system: { networkClient: transport.msalNetworkClient }
  })
}

/** Debug lines the client wrote, for assertions on retries. */
export function recordingLogger () {
  const lines: Array<Record<string, unknown> & { msg: string }> = []
  const log: GraphLogger = {
    debug: (obj, msg) => { lines.push({ ...obj, msg }) },
    warn: (obj, msg) => { lines.push({ ...obj, msg }) }
  }
  return { log, lines }
}

export type ClientOverrides = Partial<Omit<GraphClientOptions, 'baseUrl' | 'getAccessToken' | 'transport'>>

/** A Graph client for one simulator tenant, with app-only tokens from msal-node. */
export function simulatorClient (t: Teardown, sim: M365Simulator, tenantId: string, overrides: ClientOverrides = {}): GraphClient {
  const transport = simulatorTransport(t, sim)
  const cca = simulatorCca(sim, transport, tenantId)
  return createGraphClient({
    baseUrl: sim.url,
    transport,
    getAccessToken: async () => {
      const result = await cca.acquireTokenByClientCredential({ scopes: [GRAPH_SCOPE] })
      if (!result) throw new Error('msal returned no token')
      return result.accessToken
    },
    // fast backoff keeps fault tests short; Retry-After from the simulator is still honoured
    retry: { baseDelayMs: 5, maxDelayMs: 100, maxAttempts: 8 },
    ...overrides
  })
}

/** A tenant of `userCount` generated users, consented for the demo app. */
export function createTenant (sim: M365Simulator, input: Parameters<M365Simulator['admin']['createTenant']>[0]): string {
  sim.admin.registerApp({ ...DEMO_APP }) // idempotent; a 'none' fixture starts without it
  const { tenantId } = sim.admin.createTenant(input)
  sim.admin.grantConsent(tenantId, DEMO_APP.clientId)
  return tenantId
}

/** Every item of every page, for tests (production code never collects whole listings). */
export async function collect<T> (pageSource: AsyncIterable<T[]>): Promise<{ items: T[], pages: number }> {
  const items: T[] = []
  let pages = 0
  for await (const page of pageSource) { items.push(...page); pages++ }
  return { items, pages }
}
