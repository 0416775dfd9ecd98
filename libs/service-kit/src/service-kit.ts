import sensible from '@fastify/sensible'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { createBusFromConfig, type EventBus } from '@m365/bus'
import { createServiceDb, openDatabase, type DatabaseHandle, type Db } from '@m365/db'
import type { BaseConfig } from './config.js'
import { createConsumers, type Consume } from './consume.js'
import { useProblemHandlers } from './errors.js'
import { healthRoutes, type Readiness } from './health.js'
import { createServiceMetrics, instrumentHttp, metricsRoute, type ServiceMetrics } from './metrics.js'
import { registerOpenApi, type OpenApiOptions } from './swagger.js'
import { refuseNulText } from './text-input.js'

/** What the single-process app, server.ts (runService) and tests hand to a service's app plugin. */
export interface ServiceOptions<TConfig extends BaseConfig = BaseConfig> {
  config: TConfig
  /** Injected (single process, tests): service-kit uses it and leaves closing it to whoever opened it. */
  db?: DatabaseHandle
  /** Injected (single process, tests): likewise not closed by service-kit. */
  bus?: EventBus
}

export interface ServiceKitOptions<TConfig extends BaseConfig = BaseConfig> extends Omit<ServiceOptions<TConfig>, 'bus'> {
  /** `report`: metrics label, default Postgres schema (dashes become underscores). */
  service: string
  /** The service's Postgres schema; giving it (or `db` or `migrationsFolder`) gives the service `app.db`. */
  dbSchema?: string
  /** drizzle-kit output; applied into the schema at start. */
  migrationsFolder?: string
  /** drizzle tables and relations, for `db.query.*` */
  tables?: Record<string, unknown>
  /** An injected bus, or false for a service that uses none (the gateway). Default: opened from NATS_URL. */
  bus?: EventBus | false
  /** Serve OpenAPI at /openapi.json and the UI at /docs. */
  openapi?: OpenApiOptions
}

declare module 'fastify' {
  interface FastifyInstance {
    config: BaseConfig
    /** drizzle for the service's schema, migrated; `queryRows(app.db, sql…)` for raw SQL. */
    db: Db
    bus: EventBus
    /** bus.consume with metrics, a `{ consumer, eventId }` logger, and closing before bus and db. */
    consume: Consume
    metrics: ServiceMetrics
    readiness: Readiness
  }
}

/**
 * Everything a service needs at its root: config, db, bus, consumers, errors as problem+json,
 * /healthz, /readyz, /metrics, OpenAPI. Register it first in the service's app plugin.
 * On close: consumers finish in-flight work, then the bus and then the db close (those it opened).
 */
async function serviceKitPlugin (app: FastifyInstance, options: ServiceKitOptions): Promise<void> {
  const { service, config } = options
  app.decorate('config', config)

  const metrics = createServiceMetrics(service)
  app.decorate('metrics', metrics)
  instrumentHttp(app, metrics)

  if (options.openapi) await registerOpenApi(app, options.openapi)
  await app.register(sensible)
  useProblemHandlers(app)
  refuseNulText(app)
  const readiness = healthRoutes(app)
  app.decorate('readiness', readiness)
  metricsRoute(app, metrics.registry)

  const database = await openServiceDatabase(app, options)
  if (database) readiness.add('db', () => database.handle.ping())
  let bus: Awaited<ReturnType<typeof openBus>>
  try {
    bus = await openBus(app, options)
  } catch (err) {
    if (database?.owned) await database.handle.close()
    throw err
  }
  if (bus) readiness.add('bus', () => bus.bus.ping())
  const consumers = bus ? createConsumers(bus.bus, app.log, metrics) : undefined

  decorateRequired(app, 'db', database?.db, `service ${service} has no database: give dbSchema or migrationsFolder`)
  decorateRequired(app, 'bus', bus?.bus, `service ${service} has no bus (bus: false)`)
  decorateRequired(app, 'consume', consumers?.consume, `service ${service} has no bus (bus: false)`)

  // One hook, so the order is certain: consumers, then bus, then db. avvio runs onClose hooks
  // last-registered first, so the service's own plugins (registered after this) close before it.
  app.addHook('onClose', async () => {
    if (consumers) await consumers.closeAll()
    if (bus?.owned) await bus.bus.close()
    if (database?.owned) await database.handle.close()
    app.log.info('service closed') // the logger names the service
  })
}

async function openServiceDatabase (app: FastifyInstance, options: ServiceKitOptions) {
  const { service, config, dbSchema, migrationsFolder } = options
  if (!options.db && !dbSchema && !migrationsFolder) return undefined
  const owned = !options.db
  const handle = options.db ?? await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR, log: app.log })
  try {
    const serviceDb = createServiceDb(handle, {
      schema: dbSchema ?? service.replace(/-/g, '_'),
      migrationsFolder,
      tables: options.tables,
      log: app.log
    })
    if (migrationsFolder) await serviceDb.migrate()
    return { handle, owned, db: serviceDb.db as Db }
  } catch (err) {
    if (owned) await handle.close()
    throw err
  }
}

async function openBus (app: FastifyInstance, options: ServiceKitOptions) {
  if (options.bus === false) return undefined
  if (options.bus) return { bus: options.bus, owned: false }
  const { config, service } = options
  const bus = await createBusFromConfig({
    NATS_URL: config.NATS_URL, BUS_NAMESPACE: config.BUS_NAMESPACE, log: app.log, name: config.SERVICE_NAME ?? service
  })
  return { bus, owned: true }
}

function decorateRequired (app: FastifyInstance, name: 'db' | 'bus' | 'consume', value: unknown, missing: string): void {
  if (value !== undefined) app.decorate(name, value as never)
  else app.decorate(name, { getter () { throw new Error(missing) } })
}

export const serviceKit = fp(serviceKitPlugin, { name: 'service-kit', fastify: '5.x' })
export default serviceKit
