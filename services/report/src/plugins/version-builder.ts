import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { createWorkLoop, type WorkLoop } from '@m365/service-kit'
import { buildNextVersion, recordBuildFailure } from '../build/build-version.js'
import type { ReportConfig } from '../config.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Wake the builder after queueing a version. */
    versionBuilder: Pick<WorkLoop, 'wake'>
  }
}

/** Builds pending versions one at a time, off the request path; on start it picks up what a crash left. */
export default fp(async (app: FastifyInstance) => {
  const config = app.config as ReportConfig
  const loop = createWorkLoop({
    name: 'version-builder',
    intervalMs: config.VERSION_BUILD_POLL_MS,
    log: app.log,
    work: async () => {
      const result = await buildNextVersion(app.db)
      if (!result) return false
      if (result.outcome === 'built') {
        app.log.info({ versionId: result.versionId }, 'report version built')
        app.outbox.wake()
      } else {
        const next = await recordBuildFailure(app.db, result.versionId, result.error, config.VERSION_BUILD_MAX_ATTEMPTS)
        app.log.error({ err: result.error, versionId: result.versionId, next }, 'report version build failed')
      }
      return true
    }
  })
  app.decorate('versionBuilder', { wake: () => loop.wake() })
  app.addHook('onReady', async () => { loop.start() })
  app.addHook('onClose', async () => loop.stop())
}, { name: 'version-builder', dependencies: ['service-kit', 'outbox'] })
