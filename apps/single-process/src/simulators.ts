import { DEMO_APP, startM365Simulator, type M365Simulator } from '@m365/m365-simulator'
import { startPsaSimulator, type PsaSimulator } from '@m365/psa-simulator'

export interface DemoSimulators {
  m365: M365Simulator
  psa: PsaSimulator
  /** what the services are configured with so they talk to the simulators instead of Microsoft and a PSA */
  env: Record<string, string>
  close(): Promise<void>
}

/**
 * With no Azure app configured, `npm start` talks to the built-in Microsoft 365 and PSA simulators
 * over real HTTPS/HTTP, through the same msal-node, Graph and PSA client code as production.
 */
export async function startDemoSimulators (): Promise<DemoSimulators> {
  const m365 = await startM365Simulator({ fixture: 'demo' })
  const psa = await startPsaSimulator()
  return {
    m365,
    psa,
    env: {
      AUTHORITY_HOST: m365.url,
      GRAPH_BASE_URL: m365.url,
      GRAPH_CA_PEM: m365.caPem,
      AZURE_CLIENT_ID: DEMO_APP.clientId,
      AZURE_CLIENT_SECRET: DEMO_APP.clientSecret,
      CONNECTWISE_KEY_HOSTS: new URL(psa.url).origin
    },
    async close () {
      await Promise.allSettled([m365.close(), psa.close()])
    }
  }
}
