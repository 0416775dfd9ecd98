import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { TenantAuthConfig } from '../config.js'
import { startOutboxPublisher, type OutboxPublisher } from '../outbox/publisher.js'

declare module 'fastify' {
  interface FastifyInstance { outbox: Pick<OutboxPublisher, 'wake'> }
}

/** Starts publishing once the app is ready; stops before service-kit closes the bus and the db. */
export default fp(async (app: FastifyInstance, { config }: { config: TenantAuthConfig }) => {
  let publisher: OutboxPublisher | undefined
  app.decorate('outbox', { wake: () => publisher?.wake() })
  app.addHook('onReady', async () => {
    publisher = startOutboxPublisher({ db: app.db, bus: app.bus, log: app.log.child({ component: 'outbox' }), pollMs: config.OUTBOX_POLL_MS })
  })
  app.addHook('onClose', async () => { await publisher?.stop() })
}, { name: 'outbox', dependencies: ['service-kit'] })
