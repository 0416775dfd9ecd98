import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Page, PageQuery, Report, ReportCreate } from '@m365/api'
import { notFound, unprocessable } from '@m365/service-kit'
import { assertCanReadClient, assertMsp } from '@m365/service-kit/principal'
import { scopeOf } from '../../lib/scope.js'
import { ClientParams, ReportParams } from './params.js'
import { problems } from './problems.js'

const tags = ['Reports']

const reports: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/clients/:clientId/reports', {
    schema: {
      tags,
      summary: 'Create a report of a client from a template',
      params: ClientParams,
      body: ReportCreate,
      response: { 201: Report, ...problems(400, 401, 403, 404, 422) }
    }
  }, async (request, reply) => {
    assertMsp(request)
    const { clientId } = request.params
    const report = await app.reports.create(clientId, request.body)
    if (report === 'client-missing') throw notFound(`client ${clientId}`)
    if (report === 'template-missing') {
      throw unprocessable('TEMPLATE_NOT_FOUND', `body/templateId: template ${request.body.templateId} does not exist`)
    }
    return reply.code(201).send(report)
  })

  app.get('/clients/:clientId/reports', {
    schema: {
      tags,
      summary: "List a client's reports, newest first",
      params: ClientParams,
      querystring: PageQuery,
      response: { 200: Page(Report), ...problems(400, 401, 404) }
    }
  }, async (request) => {
    const { clientId } = request.params
    assertCanReadClient(request, clientId)
    if (!await app.clients.get(clientId)) throw notFound(`client ${clientId}`)
    return await app.reports.list(clientId, request.query, scopeOf(request.principal))
  })

  app.get('/reports/:reportId', {
    schema: { tags, summary: 'Get a report and its newest version', params: ReportParams, response: { 200: Report, ...problems(400, 401, 404) } }
  }, async (request) => {
    const report = await app.reports.get(request.params.reportId, scopeOf(request.principal))
    if (!report) throw notFound(`report ${request.params.reportId}`)
    return report
  })
}

export default reports
