import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { serviceKit, type ServiceOptions } from '@m365/service-kit'
import { outboxPlugin } from '@m365/service-kit/outbox'
import type { ReportConfig } from './config.js'
import consumers from './consumers/index.js'
import * as tables from './db/schema.js'
import { OUTBOX_KEEP_SENT_MS } from './lib/housekeeping.js'
import housekeeping from './plugins/housekeeping.js'
import repositories from './plugins/repositories.js'
import versionBuilder from './plugins/version-builder.js'
import v1 from './routes/v1/index.js'

// next to the running code: src/db/migrations (dev, tests), dist/db/migrations (containers: the build copies them)
export const migrationsFolder = join(import.meta.dirname, 'db', 'migrations')

export type ReportOptions = ServiceOptions<ReportConfig>

/** The report service: clients, templates, reports and versions, and the O365/contacts read model behind them. */
export default async function reportApp (app: FastifyInstance, opts: ReportOptions): Promise<void> {
  await app.register(serviceKit, {
    ...opts,
    service: 'report',
    dbSchema: 'report',
    migrationsFolder,
    tables,
    openapi: { title: 'm365-insight report service', version: '1.0.0' }
  })
  await app.register(outboxPlugin, { table: tables.outbox, pollMs: opts.config.OUTBOX_POLL_MS, keepSentMs: OUTBOX_KEEP_SENT_MS })
  await app.register(versionBuilder)
  await app.register(housekeeping)
  await app.register(repositories)
  await app.register(v1, { prefix: '/v1' })
  await app.register(consumers)
}
