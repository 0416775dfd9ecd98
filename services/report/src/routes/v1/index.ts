import type { FastifyInstance } from 'fastify'
import { principalHook } from '@m365/service-kit/principal'
import clients from './clients.js'
import office365 from './office365.js'
import reports from './reports.js'
import templates from './templates.js'
import versionDiff from './version-diff.js'
import versionRows from './version-rows.js'
import versions from './versions.js'

/** Everything under /v1: the paths the gateway exposes, each scoped by the forwarded principal. */
export default async function v1 (app: FastifyInstance): Promise<void> {
  await app.register(principalHook)
  await app.register(clients)
  await app.register(templates)
  await app.register(reports)
  await app.register(versions)
  await app.register(versionRows)
  await app.register(versionDiff)
  await app.register(office365)
}
