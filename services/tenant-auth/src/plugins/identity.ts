import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { TenantAuthConfig } from '../config.js'
import { ConsentService } from '../connect/consent-service.js'
import { ConfidentialClients } from '../identity/confidential-clients.js'
import { mspCredential } from '../identity/msp-credential.js'
import { TokenBroker } from '../identity/token-broker.js'
import { CredentialsService } from '../tenants/credentials-service.js'

declare module 'fastify' {
  interface FastifyInstance {
    tokenBroker: TokenBroker
    consent: ConsentService
    tenantCredentials: CredentialsService
  }
}

export default fp(async (app: FastifyInstance, { config }: { config: TenantAuthConfig }) => {
  const msp = mspCredential(config)
  const homeTenantId = config.AZURE_TENANT_ID?.toLowerCase()
  const log = app.log.child({ component: 'identity' })
  const onEvents = () => app.outbox.wake()
  const clients = new ConfidentialClients({
    authorityHost: config.AUTHORITY_HOST, networkClient: app.graphTransport.msalNetworkClient, db: app.db, ring: app.keyRing, log
  })
  const broker = new TokenBroker({ db: app.db, ring: app.keyRing, clients, mspCredential: msp, homeTenantId, log, onEvents })
  const shutdown = new AbortController()
  app.addHook('preClose', async () => shutdown.abort())
  const common = { db: app.db, ring: app.keyRing, broker, transport: app.graphTransport, graphBaseUrl: config.GRAPH_BASE_URL, log, onEvents }
  app.decorate('tokenBroker', broker)
  app.decorate('consent', new ConsentService({
    ...common,
    mspCredential: msp,
    homeTenantId,
    authorityHost: config.AUTHORITY_HOST,
    publicBaseUrl: config.PUBLIC_BASE_URL,
    stateTtlSeconds: config.CONNECT_STATE_TTL_SECONDS,
    confirmTimeoutMs: config.CONSENT_CONFIRM_TIMEOUT_MS,
    confirmInitialDelayMs: config.CONSENT_RETRY_INITIAL_MS,
    signal: shutdown.signal
  }))
  app.decorate('tenantCredentials', new CredentialsService(common))
}, { name: 'identity', dependencies: ['service-kit', 'key-ring', 'graph-transport', 'outbox'] })
