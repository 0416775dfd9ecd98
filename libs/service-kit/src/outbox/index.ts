import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { createOutboxPublisher, type OutboxPublisherOptions } from './publisher.js'

export { outboxTable, type OutboxTable } from './table.js'
export { enqueue, enqueueEvents } from './enqueue.js'
export { createOutboxPublisher, pruneSentOutbox, type OutboxPublisherOptions } from './publisher.js'

export interface Outbox {
  /** Publish now instead of at the next poll: call it after a commit that wrote events. */
  wake (): void
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The service's outbox publisher (the outbox plugin of @m365/service-kit/outbox). */
    outbox: Outbox
  }
}

export type OutboxPluginOptions = Omit<OutboxPublisherOptions, 'db' | 'bus' | 'log'>

/**
 * Publishes the service's outbox from when the app is ready; stops (finishing the pass in flight) on
 * close, after the plugins registered later and before service-kit closes the bus and the database.
 */
export const outboxPlugin = fp(async (app: FastifyInstance, options: OutboxPluginOptions) => {
  const publisher = createOutboxPublisher({ ...options, db: app.db, bus: app.bus, log: app.log.child({ component: 'outbox' }) })
  app.decorate('outbox', { wake: () => publisher.wake() })
  app.addHook('onReady', async () => { publisher.start() })
  app.addHook('onClose', async () => { await publisher.stop() })
}, { name: 'outbox', dependencies: ['service-kit'] })

export default outboxPlugin
