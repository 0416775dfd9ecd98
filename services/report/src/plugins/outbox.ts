import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { createWorkLoop, type WorkLoop } from '@m365/service-kit'
import type { ReportConfig } from '../config.js'
import { publishOutbox } from '../lib/outbox.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Wake the publisher after committing outbox rows. */
    outbox: Pick<WorkLoop, 'wake'>
  }
}

export default fp(async (app: FastifyInstance) => {
  const config = app.config as ReportConfig
  const loop = createWorkLoop({
    name: 'outbox', intervalMs: config.OUTBOX_POLL_MS, log: app.log, work: () => publishOutbox(app.db, app.bus)
  })
  app.decorate('outbox', { wake: () => loop.wake() })
  app.addHook('onReady', async () => { loop.start() })
  app.addHook('onClose', async () => loop.stop())
}, { name: 'outbox', dependencies: ['service-kit'] })
