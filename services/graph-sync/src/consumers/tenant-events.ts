import type { FastifyInstance } from 'fastify'
import { ClientDeleted, TenantConnected, TenantConsentRevoked, TenantDisconnected } from '@m365/contracts'
import type { GraphSyncConfig } from '../config.js'
import { uuidFromName } from '../lib/ids.js'
import { connectTenant, purgeClient, setTenantStatus } from '../repositories/tenants.js'
import { enqueueSync } from '../sync/enqueue.js'

/**
 * What tenant-auth and report tell us about tenants: a connected tenant is synced in full at once
 * and then on schedule; a disconnected or revoked one is no longer scheduled (its snapshot stays);
 * a deleted client takes everything of its tenants with it. Each handler is idempotent: stale events
 * change nothing, and the first sync's id comes from the event id.
 */
export default async function tenantEventsConsumer (app: FastifyInstance, opts: { config: GraphSyncConfig }) {
  const interval = opts.config.SYNC_INTERVAL_MINUTES

  await app.consume(TenantConnected, { durable: 'graph-sync-tenant-connected' }, async (event, { log }) => {
    const { tenantId, clientId, displayName, connectedAt } = event.data
    const applied = await connectTenant(app.db, { tenantId, clientId, displayName: displayName ?? null, at: new Date(connectedAt), intervalMinutes: interval })
    if (!applied) return log.info({ tenantId }, 'stale tenant.connected ignored')
    const run = await enqueueSync(app.db, app.bus, { syncId: uuidFromName(`connected:${event.id}`), tenantId, clientId, reason: 'connected', mode: 'full' })
    log.info({ tenantId, clientId, syncId: run.syncId }, 'tenant connected, first sync queued')
  })

  await app.consume(TenantDisconnected, { durable: 'graph-sync-tenant-disconnected' }, async (event, { log }) => {
    const { tenantId, disconnectedAt } = event.data
    if (await setTenantStatus(app.db, tenantId, 'disconnected', new Date(disconnectedAt))) log.info({ tenantId }, 'tenant disconnected: no more syncs')
  })

  await app.consume(TenantConsentRevoked, { durable: 'graph-sync-tenant-consent-revoked' }, async (event, { log }) => {
    const { tenantId, status, at } = event.data
    if (await setTenantStatus(app.db, tenantId, status, new Date(at))) {
      app.graphAccess.forget(tenantId)
      log.info({ tenantId, status }, 'tenant lost its consent: no more syncs')
    }
  })

  await app.consume(ClientDeleted, { durable: 'graph-sync-client-deleted' }, async (event, { log }) => {
    const tenantIds = await purgeClient(app.db, event.data.clientId)
    for (const tenantId of tenantIds) app.graphAccess.forget(tenantId)
    log.info({ clientId: event.data.clientId, tenants: tenantIds.length }, 'client deleted: its tenants purged')
  })
}
