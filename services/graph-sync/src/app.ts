import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { serviceKit, type ServiceOptions } from '@m365/service-kit'
import type { GraphSyncConfig } from './config.js'
import syncRequestedConsumer from './consumers/sync-requested.js'
import tenantEventsConsumer from './consumers/tenant-events.js'
import { tables } from './db/schema.js'
import { principalHook } from './plugins/principal.js'
import scheduler from './plugins/scheduler.js'
import syncEngine from './plugins/sync-engine.js'
import syncRoutes from './routes/v1/syncs.js'

// next to the running file: src/db/migrations, or the copy the build puts in dist/db/migrations
export const migrationsFolder = join(import.meta.dirname, 'db', 'migrations')

/**
 * graph-sync: keeps the last complete snapshot of each connected tenant's users, licences and MFA
 * state, syncing from Microsoft Graph on a schedule and on demand, and publishes it as events.
 */
export default async function graphSyncApp (app: FastifyInstance, opts: ServiceOptions<GraphSyncConfig>) {
  await app.register(serviceKit, {
    ...opts,
    service: 'graph-sync',
    dbSchema: 'graph_sync',
    migrationsFolder,
    tables,
    openapi: { title: 'graph-sync (internal)', version: '1.0.0' }
  })
  await app.register(syncEngine, opts)
  await app.register(async (v1) => {
    await v1.register(principalHook)
    await v1.register(syncRoutes)
  }, { prefix: '/v1' })
  await app.register(tenantEventsConsumer, opts)
  await app.register(syncRequestedConsumer, opts)
  await app.register(scheduler, opts)
}
