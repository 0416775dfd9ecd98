import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import type { Dispatcher } from 'undici'
import { serviceKit, type ServiceOptions } from '@m365/service-kit'
import { outboxPlugin } from '@m365/service-kit/outbox'
import type { ContactsIngestConfig } from './config.js'
import clientDeletedConsumer from './consumers/client-deleted.js'
import * as tables from './db/schema.js'
import core from './plugins/core.js'
import metrics from './plugins/metrics.js'
import workers from './plugins/workers.js'
import psaConnectionRoutes from './routes/v1/psa-connections/index.js'
import webhookRoutes from './routes/webhooks/index.js'

// next to the running code: src/db/migrations (dev, tests), dist/db/migrations (containers: the build copies them)
export const migrationsFolder = join(import.meta.dirname, 'db', 'migrations')

export interface ContactsIngestOptions extends ServiceOptions<ContactsIngestConfig> {
  /** transport for ConnectWise key_url requests; default a private undici Agent (tests: a stand-in for the ConnectWise cloud) */
  connectWiseKeyDispatcher?: Dispatcher
}

/** contacts-ingest as one plugin: register it with fastify-plugin so service-kit's error handler is the root's. */
export default async function contactsIngestApp (app: FastifyInstance, opts: ContactsIngestOptions) {
  const { config } = opts
  await app.register(serviceKit, {
    config: opts.config,
    ...(opts.db ? { db: opts.db } : {}),
    ...(opts.bus ? { bus: opts.bus } : {}),
    service: 'contacts-ingest',
    dbSchema: 'contacts_ingest',
    migrationsFolder,
    tables,
    openapi: { title: 'contacts-ingest', description: 'PSA connections, PSA contact webhooks and backfill' }
  })
  await app.register(core, { config, ...(opts.connectWiseKeyDispatcher ? { connectWiseKeyDispatcher: opts.connectWiseKeyDispatcher } : {}) })
  await app.register(metrics)
  await app.register(outboxPlugin, {
    table: tables.outbox, pollMs: config.OUTBOX_POLL_MS, leaseMs: config.OUTBOX_LEASE_MS, publishDelayMs: config.OUTBOX_PUBLISH_DELAY_MS
  })
  await app.register(workers, { config })

  await app.register(psaConnectionRoutes, { prefix: '/v1/psa-connections' })
  await app.register(webhookRoutes, { prefix: '/webhooks', config, ownsDatabase: !opts.db })

  await app.register(clientDeletedConsumer)
}
