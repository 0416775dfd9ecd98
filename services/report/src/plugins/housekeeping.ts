import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { createWorkLoop } from '@m365/service-kit'
import type { ReportConfig } from '../config.js'
import { pruneOldRows } from '../lib/housekeeping.js'

export default fp(async (app: FastifyInstance) => {
  const config = app.config as ReportConfig
  const loop = createWorkLoop({
    name: 'housekeeping',
    intervalMs: config.HOUSEKEEPING_INTERVAL_MS,
    log: app.log,
    work: async () => { await pruneOldRows(app.db); return false }
  })
  app.addHook('onReady', async () => { loop.start() })
  app.addHook('onClose', async () => loop.stop())
}, { name: 'housekeeping', dependencies: ['service-kit'] })
