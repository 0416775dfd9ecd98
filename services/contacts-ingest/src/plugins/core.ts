import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Dispatcher } from 'undici'
import { CONNECTWISE_KEY_HOSTS, createConnectWiseKeyFetcher } from '@m365/psa'
import { compactKeyRingFromConfig } from '@m365/service-kit'
import type { ContactsIngestConfig } from '../config.js'
import { createPsaClients, type PsaClients } from '../connections/psa-clients.js'
import { createConnections, type Connections } from '../connections/repository.js'
import type { ConnectWiseKeys } from '../webhooks/verify.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** PSA connections (secrets sealed at rest) */
    connections: Connections
    /** REST clients per connection */
    psaClients: PsaClients
    /** where ConnectWise signing keys may be fetched from, and the cached fetcher */
    connectWiseKeys: ConnectWiseKeys
  }
}

export interface CoreOptions {
  config: ContactsIngestConfig
  /** transport for ConnectWise key_url requests (tests: a MockAgent standing in for the ConnectWise cloud) */
  connectWiseKeyDispatcher?: Dispatcher
}

/** The service's building blocks, decorated once at the root. */
export default fp(async (app: FastifyInstance, { config, connectWiseKeyDispatcher }: CoreOptions) => {
  const keys = compactKeyRingFromConfig(config)
  const connections = createConnections(app.db, keys, {
    graceSeconds: config.SECRET_ROTATION_GRACE_SECONDS, settingsCacheMs: config.WEBHOOK_SETTINGS_CACHE_MS
  })
  app.decorate('connections', connections)
  app.decorate('psaClients', createPsaClients(connections, {
    timeoutMs: config.PSA_HTTP_TIMEOUT_MS,
    retry: { attempts: config.PSA_HTTP_ATTEMPTS, baseDelayMs: config.PSA_HTTP_RETRY_BASE_MS, maxRetryAfterMs: 30_000 }
  }))
  const allowedHosts = config.CONNECTWISE_KEY_HOSTS?.split(',').map((h) => h.trim()).filter(Boolean) ?? CONNECTWISE_KEY_HOSTS
  app.decorate('connectWiseKeys', {
    allowedHosts,
    fetcher: createConnectWiseKeyFetcher({ allowedHosts, ...(connectWiseKeyDispatcher ? { dispatcher: connectWiseKeyDispatcher } : {}) })
  })
  app.addHook('onReady', async () => {
    const resealed = await connections.reseal()
    if (resealed > 0) app.log.info({ connections: resealed }, 'secrets sealed again with the current ENCRYPTION_KEY')
  })
}, { name: 'contacts-ingest-core', dependencies: ['service-kit'] })
