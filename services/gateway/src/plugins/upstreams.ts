import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { createServiceClient, type ServiceClient } from '@m365/service-kit'
import type { GatewayConfig } from '../config.js'
import { createPassthrough, type Passthrough } from '../upstreams/passthrough.js'

export type UpstreamName = 'tenantAuth' | 'graphSync' | 'contactsIngest' | 'report'

export interface Upstreams {
  /** JSON routes: 2xx streamed on, 4xx problems relayed, 5xx → 502 (service-kit's UpstreamError). */
  clients: Record<UpstreamName, ServiceClient>
  /** tenant-auth's consent callback: every answer as it is (HTML pages). */
  consentCallback: Passthrough
  /** PSA webhooks, when WEBHOOKS_UPSTREAM_URL is set. */
  webhooks: Passthrough | undefined
  /** How long a relayed body may wait on its reader (STREAM_STALL_TIMEOUT_MS). */
  stallTimeoutMs: number
}

declare module 'fastify' {
  interface FastifyInstance { upstreams: Upstreams }
}

/** One keep-alive pool per service, closed with the app. */
export default fp(async (app: FastifyInstance, { config }: { config: GatewayConfig }) => {
  const timeoutMs = config.UPSTREAM_TIMEOUT_MS
  const client = (url: string, service: string) => createServiceClient(url, { service, timeoutMs })
  const upstreams: Upstreams = {
    clients: {
      tenantAuth: client(config.TENANT_AUTH_URL, 'tenant-auth'),
      graphSync: client(config.GRAPH_SYNC_URL, 'graph-sync'),
      contactsIngest: client(config.CONTACTS_INGEST_URL, 'contacts-ingest'),
      report: client(config.REPORT_URL, 'report')
    },
    // tenant-auth answers only once the tenant is confirmed, retrying while a fresh consent replicates
    consentCallback: createPassthrough(config.TENANT_AUTH_URL, { service: 'tenant-auth', timeoutMs: config.CONSENT_CALLBACK_TIMEOUT_MS }),
    webhooks: config.WEBHOOKS_UPSTREAM_URL ? createPassthrough(config.WEBHOOKS_UPSTREAM_URL, { service: 'contacts-ingest', timeoutMs }) : undefined,
    stallTimeoutMs: config.STREAM_STALL_TIMEOUT_MS
  }
  app.decorate('upstreams', upstreams)
  app.addHook('onClose', async () => {
    await Promise.all([
      ...Object.values(upstreams.clients).map((c) => c.close()),
      upstreams.consentCallback.close(),
      upstreams.webhooks?.close()
    ])
  })
}, { name: 'upstreams' })
