import { randomBytes, randomUUID } from 'node:crypto'
import { startM365Simulator, type M365Simulator } from '@m365/m365-simulator'
import { startPsaSimulator, type PsaSimulator } from '@m365/psa-simulator'

export interface Simulators {
  m365: M365Simulator
  psa: PsaSimulator
  close (): Promise<void>
}

/**
 * The Microsoft 365 simulator (HTTPS, its own CA) and the PSA simulator, in the test process: the
 * services reach them over the network exactly as they would reach Microsoft and a PSA, while the
 * test controls them directly (tenants, faults, contacts, webhooks).
 */
export async function startSimulators (options: { fixture?: 'demo' | 'none' } = {}): Promise<Simulators> {
  const m365 = await startM365Simulator({ fixture: options.fixture ?? 'none' })
  const psa = await startPsaSimulator().catch(async (err: unknown) => { await m365.close(); throw err })
  return {
    m365,
    psa,
    async close () {
      await Promise.allSettled([m365.close(), psa.close()])
    }
  }
}

export interface MspApp { clientId: string, clientSecret: string }

/**
 * The MSP's multi-tenant app registration, as an MSP creates it in Entra ID: a secret, the gateway's
 * consent callback as its only redirect URI (the simulator refuses others, AADSTS50011), and the
 * application permissions admin consent will grant (default: the simulator's full set).
 */
export function registerMspApp (m365: M365Simulator, options: { redirectUri: string, permissions?: string[] }): MspApp {
  const app = { clientId: randomUUID(), clientSecret: randomBytes(24).toString('base64url') }
  m365.admin.registerApp({
    ...app,
    displayName: 'm365-insight e2e',
    redirectUris: [options.redirectUri],
    ...(options.permissions ? { permissions: options.permissions } : {})
  })
  return app
}
