import type { Static, TObject } from '@sinclair/typebox'
import closeWithGrace from 'close-with-grace'
import Fastify, { type FastifyInstance, type FastifyPluginAsync, type FastifyServerOptions } from 'fastify'
import fp from 'fastify-plugin'
import { ConfigError, loadConfigOrExit, type BaseConfig } from './config.js'
import { loggerOptions } from './logger.js'
import { requestLogging } from './request-log.js'
import type { ServiceOptions } from './service-kit.js'

export interface RunServiceOptions<T extends TObject> {
  /** BaseConfig or a schema extending it. */
  configSchema: T
  /** `report`: log `service` field and default SERVICE_NAME. */
  name: string
  /** Extra Fastify options (e.g. bodyLimit), or a function of the loaded config that returns them (e.g. trustProxy). */
  fastify?: Omit<FastifyServerOptions, 'logger'> | ((config: Static<T> & BaseConfig) => Omit<FastifyServerOptions, 'logger'>)
  env?: Record<string, string | undefined>
  /**
   * What the service cannot run without as a process of its own. Unset, DATABASE_URL means an embedded
   * database in the container's filesystem and NATS_URL the in-process bus, which no other service shares:
   * fine inside `npm start`, silent data loss and deafness in a container, so it stops instead.
   */
  needs?: ReadonlyArray<'DATABASE_URL' | 'NATS_URL'>
}

/**
 * A service's server.ts in one call: config from the environment (bad config: one line, exit 1),
 * Fastify with the service-kit logger, the app registered with fp (so service-kit's error handler is
 * the root's), listen, and on SIGTERM/SIGINT a graceful close: stop accepting HTTP and finish
 * in-flight requests, then consumers finish and ack, then the bus, then the db (service-kit's onClose).
 * A close that takes longer than CLOSE_GRACE_MS exits with code 1.
 * @see https://github.com/mcollina/close-with-grace
 */
export async function runService<T extends TObject> (
  appPlugin: FastifyPluginAsync<ServiceOptions<Static<T> & BaseConfig>>,
  options: RunServiceOptions<T>
): Promise<FastifyInstance> {
  const config = loadConfigOrExit(options.configSchema, options.env) as Static<T> & BaseConfig
  const missing = (options.needs ?? []).filter((name) => !config[name])
  if (missing.length > 0) {
    const problems = new ConfigError(missing.map((name) => `${name} is required`)).message
    process.stderr.write(`${problems} (a service on its own needs Postgres and NATS; npm start runs them all in one process)\n`)
    process.exit(1)
  }
  const app = Fastify({
    requestTimeout: config.REQUEST_TIMEOUT_MS,
    pluginTimeout: config.STARTUP_TIMEOUT_MS,
    ...requestLogging(),
    ...(typeof options.fastify === 'function' ? options.fastify(config) : options.fastify),
    logger: loggerOptions(config, options.name)
  })
  app.register(fp(appPlugin), { config })
  closeWithGrace({ delay: config.CLOSE_GRACE_MS, logger: { error: (msg: unknown) => app.log.error({ msg }, 'close-with-grace') } },
    async ({ signal, err }) => {
      if (err) app.log.error({ err }, 'closing after error')
      else app.log.info({ signal }, 'closing')
      await app.close()
      app.log.info('closed')
    })
  try {
    await app.listen({ host: config.HOST, port: config.PORT })
  } catch (err) {
    app.log.fatal({ err }, 'cannot start')
    await app.close().catch(() => {})
    process.exit(1)
  }
  return app
}
