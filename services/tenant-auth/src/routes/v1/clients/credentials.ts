import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Problem, TenantCredentialsBody, TenantCredentialSummary, TenantParams } from '@m365/api'

const credentialRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.put('/:clientId/tenants/:tenantId/credentials', {
    schema: {
      tags: ['Tenants'],
      summary: 'Use the tenant\'s own app registration (MSP only): checked with Microsoft, stored encrypted, connects the tenant',
      params: TenantParams,
      body: TenantCredentialsBody,
      response: { 200: TenantCredentialSummary, 400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem, 502: Problem }
    }
  }, async (request) => {
    const { clientId, tenantId } = request.params
    return await app.tenantCredentials.put(clientId, tenantId.toLowerCase(), request.body)
  })
}

export default credentialRoutes
