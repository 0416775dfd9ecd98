import { ConfidentialClientApplication, LogLevel, type INetworkModule } from '@azure/msal-node'
import type { AnyDb } from '@m365/db'
import type { FastifyBaseLogger } from 'fastify'
import type { KeyRing } from '@m365/service-kit'
import { credentialFingerprint, msalCredential, type AppCredential } from './app-credential.js'
import { authorityFor } from './authority.js'
import { createDbCachePlugin } from './db-cache-plugin.js'

const MAX_CLIENTS = 2_000

/** One msal client's cache partition: the app registration within the tenant. */
export const partitionKey = (appClientId: string, tenantId: string) => `${appClientId.toLowerCase()}.${tenantId.toLowerCase()}`

export interface ConfidentialClientsOptions {
  authorityHost: string
  /** libs/graph's msalNetworkClient: the same trust (extra CA) and pool as Graph calls. */
  networkClient: INetworkModule
  db: AnyDb
  ring: KeyRing
  log: FastifyBaseLogger
}

/**
 * One msal ConfidentialClientApplication per tenant and credential (spec §8: msal refuses client
 * credentials on /common, and one cache partition per tenant keeps caches small), each with the
 * Postgres cache plugin. A changed credential gets a fresh client.
 */
export class ConfidentialClients {
  private readonly clients = new Map<string, { fingerprint: string, app: ConfidentialClientApplication }>()

  constructor (private readonly options: ConfidentialClientsOptions) {}

  get (tenantId: string, credential: AppCredential): ConfidentialClientApplication {
    const key = partitionKey(credential.clientId, tenantId)
    const fingerprint = credentialFingerprint(credential)
    const existing = this.clients.get(key)
    if (existing?.fingerprint === fingerprint) {
      this.clients.delete(key) // re-insert: the map's order is least recently used first
      this.clients.set(key, existing)
      return existing.app
    }
    const app = this.create(tenantId, credential, key)
    this.clients.set(key, { fingerprint, app })
    if (this.clients.size > MAX_CLIENTS) this.clients.delete(this.clients.keys().next().value!)
    return app
  }

  /** Drops every client of the tenant (disconnected, or its credential replaced). */
  forget (tenantId: string): void {
    for (const key of [...this.clients.keys()]) if (key.endsWith(`.${tenantId}`)) this.clients.delete(key)
  }

  private create (tenantId: string, credential: AppCredential, key: string): ConfidentialClientApplication {
    const { authorityHost, networkClient, db, ring, log } = this.options
    const partition = { key, tenantId }
    return new ConfidentialClientApplication({
      auth: { clientId: credential.clientId, ...authorityFor(authorityHost, tenantId), ...msalCredential(credential) },
      cache: { cachePlugin: createDbCachePlugin(db, ring, partition, log) },
      system: {
        networkClient,
        loggerOptions: {
          piiLoggingEnabled: false,
          logLevel: LogLevel.Warning,
          loggerCallback: (_level, message) => log.debug({ tenantId, msal: message }, 'msal')
        }
      }
    })
  }
}
