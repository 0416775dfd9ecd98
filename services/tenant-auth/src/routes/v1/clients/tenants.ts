import { decodeCursor, encodeCursor, Page, Problem, Tenant, TenantListQuery, TenantParams } from '@m365/api'
import { HttpProblem } from '@m365/service-kit'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { clientExists } from '../../../clients/client-repository.js'
import { ClientParams } from '../../../schemas/tenants.js'
import { disconnectTenant, getTenant, listTenants } from '../../../tenants/tenant-repository.js'

const tenantRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db } = app

  async function assertClient (clientId: string): Promise<void> {
    if (!await clientExists(db, clientId)) throw new HttpProblem(404, 'NOT_FOUND', `client ${clientId} does not exist`)
  }

  app.get('/:clientId/tenants', {
    schema: {
      tags: ['Tenants'],
      summary: 'List the client\'s Microsoft 365 tenants with their connection and last sync state',
      params: ClientParams,
      querystring: TenantListQuery,
      response: { 200: Page(Tenant), 400: Problem, 401: Problem, 404: Problem }
    }
  }, async (request) => {
    const { clientId } = request.params
    await assertClient(clientId)
    const { limit, cursor, status } = request.query
    const page = await listTenants(db, clientId, { limit, ...(cursor && { after: decodeCursor(cursor, ['uuid'])![0] }), ...(status && { status }) })
    return { items: page.items, nextCursor: page.more && page.last ? encodeCursor([page.last]) : null }
  })

  app.get('/:clientId/tenants/:tenantId', {
    schema: {
      tags: ['Tenants'],
      summary: 'Get one tenant connection',
      params: TenantParams,
      response: { 200: Tenant, 400: Problem, 401: Problem, 404: Problem }
    }
  }, async (request) => {
    const { clientId, tenantId } = request.params
    const tenant = await getTenant(db, clientId, tenantId)
    if (!tenant) throw new HttpProblem(404, 'NOT_FOUND', `tenant ${tenantId} is not connected to client ${clientId}`)
    return tenant
  })

  app.delete('/:clientId/tenants/:tenantId', {
    schema: {
      tags: ['Tenants'],
      summary: 'Disconnect a tenant (MSP only): no more tokens for it; its data stays until the client is deleted',
      params: TenantParams,
      response: { 204: Type.Null(), 400: Problem, 401: Problem, 403: Problem, 404: Problem }
    }
  }, async (request, reply) => {
    const { clientId, tenantId } = request.params
    const result = await disconnectTenant(db, clientId, tenantId)
    if (result === 'not_found') throw new HttpProblem(404, 'NOT_FOUND', `tenant ${tenantId} is not connected to client ${clientId}`)
    if (result === 'disconnected') {
      app.tokenBroker.forget(tenantId)
      app.outbox.wake()
      request.log.info({ clientId, tenantId }, 'tenant disconnected')
    }
    return reply.code(204).send(null)
  })
}

export default tenantRoutes
