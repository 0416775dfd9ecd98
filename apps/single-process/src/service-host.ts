import type { TObject } from '@sinclair/typebox'
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'
import type { EventBus } from '@m365/bus'
import type { DatabaseHandle } from '@m365/db'
import { DEFAULT_STARTUP_TIMEOUT_MS, loadConfig, requestLogging } from '@m365/service-kit'

export interface HostedService {
  name: string
  app: FastifyInstance
  url: string
}

export interface HostOptions {
  name: string
  // each service types its own options; the host only hands over config, db and bus
  plugin: FastifyPluginAsync<any>
  configSchema: TObject
  env: Record<string, string | undefined>
  db: DatabaseHandle
  bus: EventBus
  log: FastifyBaseLogger
  host: string
  port: number
  bodyLimit?: number
}

/**
 * Runs one service's app plugin on its own Fastify instance, as its container would, but with the
 * process's shared database handle and bus injected, so the service neither opens nor closes them.
 */
export async function hostService (options: HostOptions): Promise<HostedService> {
  const { name, plugin, configSchema, env, db, bus, log } = options
  const config = loadConfig(configSchema, { ...env, SERVICE_NAME: name, HOST: options.host, PORT: String(options.port) })
  const app = Fastify({
    loggerInstance: log.child({ service: name }),
    requestTimeout: Number(config.REQUEST_TIMEOUT_MS ?? 60_000),
    pluginTimeout: Number(config.STARTUP_TIMEOUT_MS ?? DEFAULT_STARTUP_TIMEOUT_MS),
    ...requestLogging(),
    ...(options.bodyLimit ? { bodyLimit: options.bodyLimit } : {})
  })
  await app.register(fp(plugin), { config, db, bus })
  await app.listen({ host: options.host, port: options.port })
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : options.port
  return { name, app, url: `http://${options.host}:${port}` }
}
