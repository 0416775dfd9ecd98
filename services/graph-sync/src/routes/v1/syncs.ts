import { randomUUID } from 'node:crypto'
import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { decodeCursor, Page, PageQuery, Problem, SyncRun as SyncRunView, toPage } from '@m365/api'
import { SyncMode } from '@m365/contracts'
import { conflict, notFound } from '../../lib/errors.js'
import { assertCanReadClient, assertMsp } from '../../plugins/principal.js'
import { getRun, listRuns, markFailed } from '../../repositories/sync-runs.js'
import { getTenant } from '../../repositories/tenants.js'
import { toSyncRunView } from '../../schemas/sync-run.js'
import { enqueueSync } from '../../sync/enqueue.js'

const Uuid = Type.String({ format: 'uuid' })
const TenantParams = Type.Object({ clientId: Uuid, tenantId: Uuid })

/** Sync runs: trigger one, follow it, list a tenant's history. */
const syncRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db } = app

  /** The tenant, when it belongs to the client and the principal may see the client; else 404. */
  async function tenantOf (request: Parameters<typeof assertCanReadClient>[0], clientId: string, tenantId: string) {
    assertCanReadClient(request, clientId, `tenant ${tenantId} of client ${clientId}`)
    const tenant = await getTenant(db, tenantId)
    if (!tenant || tenant.clientId !== clientId) throw notFound(`tenant ${tenantId} of client ${clientId}`)
    return tenant
  }

  app.post('/clients/:clientId/tenants/:tenantId/sync', {
    schema: {
      tags: ['Sync'],
      summary: 'Start a sync of a tenant now (MSP staff)',
      description: 'Queues a sync job; follow it with GET /v1/syncs/{syncId}. `auto` runs a delta sync when the tenant has a snapshot to continue from, else a full one.',
      params: TenantParams,
      body: Type.Object({ mode: Type.Optional(SyncMode) }, { additionalProperties: false, description: 'optional; an empty POST means mode auto' }),
      response: { 202: Type.Object({ syncId: Uuid }), 400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem }
    },
    // A POST without a body is the common case: validate it as {}.
    preValidation: async (request) => { request.body ??= {} }
  }, async (request, reply) => {
    assertMsp(request)
    const { clientId, tenantId } = request.params
    const tenant = await tenantOf(request, clientId, tenantId)
    if (tenant.status !== 'connected') throw conflict('TENANT_NOT_CONNECTED', `tenant ${tenantId} is ${tenant.status}; connect it again to sync it`)
    const syncId = randomUUID()
    try {
      await enqueueSync(db, app.bus, { syncId, tenantId, clientId, reason: 'manual', mode: request.body.mode ?? 'auto' })
    } catch (err) {
      // The caller gets a 5xx and no id: the run must not wait as 'queued' for a job that never came.
      await markFailed(db, syncId, 'the sync job could not be queued').catch(() => {})
      throw err
    }
    return reply.code(202).send({ syncId })
  })

  app.get('/clients/:clientId/tenants/:tenantId/syncs', {
    schema: {
      tags: ['Sync'],
      summary: "A tenant's sync history, newest first",
      params: TenantParams,
      querystring: PageQuery,
      response: { 200: Page(SyncRunView), 400: Problem, 401: Problem, 404: Problem }
    }
  }, async (request) => {
    const { clientId, tenantId } = request.params
    await tenantOf(request, clientId, tenantId)
    const cursor = decodeCursor(request.query.cursor, ['timestamp', 'uuid'])
    const after = cursor ? { requestedAt: new Date(cursor[0]), syncId: cursor[1] } : undefined
    const rows = await listRuns(db, clientId, tenantId, request.query.limit + 1, after)
    return toPage(rows, request.query.limit, toSyncRunView, (run) => [run.requestedAt.toISOString(), run.syncId])
  })

  app.get('/syncs/:syncId', {
    schema: {
      tags: ['Sync'],
      summary: 'A sync run: phase, progress, outcome, error, timestamps',
      params: Type.Object({ syncId: Uuid }),
      response: { 200: SyncRunView, 400: Problem, 401: Problem, 404: Problem }
    }
  }, async (request) => {
    const run = await getRun(db, request.params.syncId)
    if (!run) throw notFound(`sync ${request.params.syncId}`)
    assertCanReadClient(request, run.clientId, `sync ${request.params.syncId}`)
    return toSyncRunView(run)
  })
}

export default syncRoutes
