import type { FastifyBaseLogger } from 'fastify'
import type { EventBus } from '@m365/bus'
import type { DatabaseHandle } from '@m365/db'
import contactsIngestApp, { ContactsIngestConfig } from '@m365/contacts-ingest'
import gatewayApp, { GatewayConfig } from '@m365/gateway'
import graphSyncApp, { GraphSyncConfig } from '@m365/graph-sync'
import reportApp, { ReportConfig } from '@m365/report'
import tenantAuthApp, { TenantAuthConfig } from '@m365/tenant-auth'
import { loadConfig } from '@m365/service-kit'
import { hostService, type HostedService } from './service-host.js'

export interface RunningServices {
  gateway: HostedService
  internal: HostedService[]
  close(): Promise<void>
}

/**
 * The four data-owning services on loopback ports (as separate containers would be), then the
 * gateway on the public port, forwarding to them over HTTP exactly as in the distributed mode.
 */
export async function startServices (options: {
  env: Record<string, string | undefined>
  db: DatabaseHandle
  bus: EventBus
  log: FastifyBaseLogger
  host: string
  port: number
}): Promise<RunningServices> {
  const { env, db, bus, log } = options
  checkConfigs(env)
  const shared = { env, db, bus, log, host: '127.0.0.1', port: 0 }
  const internal: HostedService[] = []
  const closeAll = async () => {
    for (const service of [...internal].reverse()) await service.app.close()
  }
  try {
    internal.push(await hostService({ ...shared, name: 'report', plugin: reportApp, configSchema: ReportConfig }))
    internal.push(await hostService({ ...shared, name: 'tenant-auth', plugin: tenantAuthApp, configSchema: TenantAuthConfig }))
    internal.push(await hostService({ ...shared, name: 'graph-sync', plugin: graphSyncApp, configSchema: GraphSyncConfig }))
    internal.push(await hostService({ ...shared, name: 'contacts-ingest', plugin: contactsIngestApp, configSchema: ContactsIngestConfig }))
    const url = (name: string) => internal.find((s) => s.name === name)!.url
    const gateway = await hostService({
      ...shared,
      name: 'gateway',
      plugin: gatewayApp,
      configSchema: GatewayConfig,
      host: options.host,
      port: options.port,
      env: {
        ...env,
        REPORT_URL: url('report'),
        TENANT_AUTH_URL: url('tenant-auth'),
        GRAPH_SYNC_URL: url('graph-sync'),
        CONTACTS_INGEST_URL: url('contacts-ingest'),
        WEBHOOKS_UPSTREAM_URL: url('contacts-ingest')
      }
    })
    return {
      gateway,
      internal,
      async close () {
        await gateway.app.close() // stop taking public traffic first
        await closeAll()
      }
    }
  } catch (err) {
    await closeAll()
    throw err
  }
}

/**
 * Every service's config checked before the first one starts: a bad variable stops the process with its
 * one-line ConfigError, not once some services already run. The gateway's service URLs are not known yet.
 */
function checkConfigs (env: Record<string, string | undefined>): void {
  for (const schema of [ReportConfig, TenantAuthConfig, GraphSyncConfig, ContactsIngestConfig]) loadConfig(schema, env)
  const pending = 'http://127.0.0.1:1'
  loadConfig(GatewayConfig, { ...env, REPORT_URL: pending, TENANT_AUTH_URL: pending, GRAPH_SYNC_URL: pending, CONTACTS_INGEST_URL: pending })
}
