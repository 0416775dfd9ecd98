import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { serviceKit, type ServiceOptions } from '@m365/service-kit'
import { outboxPlugin } from '@m365/service-kit/outbox'
import type { TenantAuthConfig } from './config.js'
import clientCreatedConsumer from './consumers/client-created.js'
import clientDeletedConsumer from './consumers/client-deleted.js'
import syncCompletedConsumer from './consumers/sync-completed.js'
import syncFailedConsumer from './consumers/sync-failed.js'
import tokensGetServer from './consumers/tokens-get.js'
import * as tables from './db/schema.js'
import graphTransport from './plugins/graph-transport.js'
import identity from './plugins/identity.js'
import keyRing from './plugins/key-ring.js'
import clientRoutes from './routes/v1/clients/index.js'
import callbackRoutes from './routes/v1/connect/callback.js'

// next to the running code: src/db/migrations (dev, tests), dist/db/migrations (containers: the build copies them)
export const migrationsFolder = join(import.meta.dirname, 'db', 'migrations')

export type TenantAuthOptions = ServiceOptions<TenantAuthConfig>

/** tenant-auth as one plugin: register it with fastify-plugin so service-kit's error handler is the root's. */
export default async function tenantAuthApp (app: FastifyInstance, opts: TenantAuthOptions) {
  const { config } = opts
  await app.register(serviceKit, {
    ...opts,
    service: 'tenant-auth',
    dbSchema: 'tenant_auth',
    migrationsFolder,
    tables,
    openapi: { title: 'tenant-auth', description: 'Microsoft 365 tenant connections and app-only tokens' }
  })
  await app.register(keyRing, { config })
  await app.register(graphTransport, { config })
  await app.register(outboxPlugin, { table: tables.outbox, pollMs: config.OUTBOX_POLL_MS })
  await app.register(identity, { config })

  await app.register(clientRoutes, { prefix: '/v1/clients' })
  await app.register(callbackRoutes, { prefix: '/v1/connect' })

  await app.register(clientCreatedConsumer)
  await app.register(clientDeletedConsumer)
  await app.register(syncCompletedConsumer)
  await app.register(syncFailedConsumer)
  await app.register(tokensGetServer)
}
