import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { createClients, type Clients } from '../repositories/clients.js'
import { createOffice365, type Office365 } from '../repositories/office365.js'
import { createReports, type Reports } from '../repositories/reports.js'
import { createTemplates, type Templates } from '../repositories/templates.js'
import { createVersionRows, type VersionRows } from '../repositories/version-rows.js'
import { createVersions, type Versions } from '../repositories/versions.js'

declare module 'fastify' {
  interface FastifyInstance {
    clients: Clients
    templates: Templates
    reports: Reports
    versions: Versions
    versionRows: VersionRows
    office365: Office365
  }
}

export default fp(async (app: FastifyInstance) => {
  const templates = createTemplates(app.db)
  await templates.ensureDefault()
  app.decorate('clients', createClients(app.db, () => app.outbox.wake()))
  app.decorate('templates', templates)
  app.decorate('reports', createReports(app.db))
  app.decorate('versions', createVersions(app.db, () => app.versionBuilder.wake()))
  app.decorate('versionRows', createVersionRows(app.db))
  app.decorate('office365', createOffice365(app.db))
}, { name: 'repositories', dependencies: ['service-kit', 'outbox', 'version-builder'] })
