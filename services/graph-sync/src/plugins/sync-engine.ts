import { hostname } from 'node:os'
import { randomBytes } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { GraphSyncConfig } from '../config.js'
import { GraphAccess } from '../graph/graph-access.js'
import { TokenCache } from '../graph/token-cache.js'
import { SyncJobs } from '../sync/sync-jobs.js'
import { createSyncMetrics } from './sync-metrics.js'

declare module 'fastify' {
  interface FastifyInstance {
    graphAccess: GraphAccess
    syncJobs: SyncJobs
    /** This process as a sync worker (lease holder, sync_attempts.worker). */
    workerId: string
  }
}

/** Graph access (tokens from tenant-auth, one HTTPS transport) and the sync job runner. */
export default fp(async (app: FastifyInstance, opts: { config: GraphSyncConfig }) => {
  const { config } = opts
  const workerId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`
  const tokens = new TokenCache({ bus: app.bus, renewBeforeMs: config.TOKEN_RENEW_BEFORE_SECONDS * 1000, timeoutMs: config.TOKEN_REQUEST_TIMEOUT_MS })
  const graph = new GraphAccess(config, tokens, app.log.child({ component: 'graph' }))
  const metrics = createSyncMetrics(app.metrics.registry)
  const jobs = new SyncJobs({ db: app.db, bus: app.bus, graph, config, worker: workerId, log: app.log, metrics })
  app.decorate('graphAccess', graph)
  app.decorate('syncJobs', jobs)
  app.decorate('workerId', workerId)
  // Runs after the consumers' own onClose (they are registered later): no job uses Graph any more.
  app.addHook('onClose', async () => {
    jobs.close()
    await graph.close()
  })
}, { name: 'sync-engine', dependencies: ['service-kit'] })
