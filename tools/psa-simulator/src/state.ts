import { randomBytes } from 'node:crypto'
import { Counters } from './stats.js'
import { Store } from './store.js'

export interface ConnectWiseCredentials { companyId: string, publicKey: string, privateKey: string, clientId: string }
export interface AutotaskCredentials { integrationCode: string, username: string, secret: string }
export interface HaloCredentials { clientId: string, clientSecret: string, tenant?: string }
export interface SimulatorCredentials {
  connectwise: ConnectWiseCredentials
  autotask: AutotaskCredentials
  halopsa: HaloCredentials
}

export const DEFAULT_CREDENTIALS: SimulatorCredentials = Object.freeze({
  connectwise: { companyId: 'simmsp', publicKey: 'sim-public-key', privateKey: 'sim-private-key', clientId: '5f0c8a4e-0000-4000-8000-5157a7e0c1d1' },
  autotask: { integrationCode: 'SIMINTEGRATIONCODE0001', username: 'api-user@sim.example', secret: 'sim-autotask-secret' },
  halopsa: { clientId: 'sim-halo-client', clientSecret: 'sim-halo-secret' }
})

/** How the simulator fails on purpose. */
export type DownMode = 'unavailable' | 'reset' | 'refuse'

export interface FailNext {
  remaining: number
  status: number
  retryAfterSeconds?: number
  /** sent as text/html instead of the JSON `{ message }` (e.g. a proxy's large error page) */
  body?: string
}

/** Everything the routes and the admin API share. */
export interface SimState {
  store: Store
  credentials: SimulatorCredentials
  /** ConnectWise signing keys by key id (`…/callbackkey/index.rails?id=<id>`) */
  signingKeys: Map<string, string>
  /** Halo access tokens → expiry (ms) */
  haloTokens: Map<string, number>
  haloTokenTtlSeconds: number
  /** Halo's largest page_size: a larger one asked for is cut to this (and answered as `page_size`); undefined: no cap */
  haloMaxPageSize: number | undefined
  counters: Counters
  down: { mode: DownMode, retryAfterSeconds?: number } | null
  failNext: FailNext | null
  /** the simulator's own base URL once listening */
  url: string
}

export function createState (credentials: SimulatorCredentials, signingKey?: string): SimState {
  return {
    store: new Store(),
    credentials,
    signingKeys: new Map([['default', signingKey ?? randomBytes(24).toString('base64url')]]),
    haloTokens: new Map(),
    haloTokenTtlSeconds: 3600,
    haloMaxPageSize: undefined,
    counters: new Counters(),
    down: null,
    failNext: null,
    url: ''
  }
}
