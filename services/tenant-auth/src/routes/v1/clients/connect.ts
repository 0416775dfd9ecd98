import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Problem, TenantConnectBody, TenantConnectStarted } from '@m365/api'
import { ClientParams } from '../../../schemas/tenants.js'

const connectRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/:clientId/tenants/connect', {
    // the body is optional: a POST without one is `{}` (validation would refuse undefined)
    preValidation: async (request) => { request.body ??= {} },
    schema: {
      tags: ['Tenants'],
      summary: 'Start connecting a Microsoft 365 tenant (MSP only): the admin-consent URL to open, valid 10 minutes, usable once',
      params: ClientParams,
      body: TenantConnectBody,
      response: { 201: TenantConnectStarted, 400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 503: Problem }
    }
  }, async (request, reply) => {
    const { clientId } = request.params
    const started = await app.consent.start({ clientId, requestedBy: request.principal.sub, tenantHint: request.body.tenantId?.toLowerCase() })
    request.log.info({ clientId, expiresAt: started.expiresAt }, 'tenant connection started')
    return reply.code(201).send(started)
  })
}

export default connectRoutes
