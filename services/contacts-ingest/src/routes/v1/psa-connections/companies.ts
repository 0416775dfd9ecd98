import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { CompanyMappingPut, CompanyMappingResult, Page, PageQuery, PsaCompany } from '@m365/api'
import { listCompanies, putMapping } from '../../../connections/mapping.js'
import { ConnectionParams, Problems, TAGS } from './schemas.js'

const companies: FastifyPluginAsyncTypebox = async (app) => {
  app.put('/:id/companies', {
    schema: {
      tags: TAGS,
      summary: 'Replace which PSA company maps to which client; contacts of changed companies are published again',
      params: ConnectionParams,
      body: CompanyMappingPut,
      response: { 200: CompanyMappingResult, ...Problems }
    }
  }, async (request) => {
    const result = await putMapping(app.db, request.params.id, request.body.companies)
    if (result.republished > 0) app.outbox.wake()
    request.log.info({ connectionId: request.params.id, companies: result.companies.length, republished: result.republished }, 'company mapping replaced')
    return result
  })

  app.get('/:id/companies', {
    schema: {
      tags: TAGS,
      summary: 'PSA companies of a connection (mapped or seen in contacts) with their client',
      params: ConnectionParams,
      querystring: PageQuery,
      response: { 200: Page(PsaCompany), ...Problems }
    }
  }, async (request) => {
    await app.connections.get(request.params.id)
    return await listCompanies(app.db, request.params.id, request.query)
  })
}

export default companies
