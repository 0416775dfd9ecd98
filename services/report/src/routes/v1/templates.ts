import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { COLUMN_CATALOGUE, COLUMN_KEYS, ColumnCatalogue, Page, PageQuery, Template, TemplateBody, TemplatePatch } from '@m365/api'
import { conflict, HttpProblem, notFound } from '@m365/service-kit'
import { assertMsp } from '@m365/service-kit/principal'
import { DEFAULT_TEMPLATE } from '../../repositories/template-columns.js'
import { toTemplate } from '../../repositories/templates.js'
import { TemplateParams } from './params.js'
import { problems } from './problems.js'

const tags = ['Templates']
const params = TemplateParams

const templates: FastifyPluginAsyncTypebox = async (app) => {
  // Templates are the MSP's: to a client principal they do not exist (its writes were refused with 403 already).
  app.addHook('onRequest', async (request) => {
    if (request.principal.role !== 'msp') throw new HttpProblem(404, 'NOT_FOUND', `${request.url.split('?')[0]} does not exist`)
  })

  app.get('/templates/columns', {
    schema: { tags, summary: 'The column catalogue of the Office 365 Part', response: { 200: ColumnCatalogue, ...problems(401, 404) } }
  }, async () => ({ items: COLUMN_KEYS.map((key) => ({ key, ...COLUMN_CATALOGUE[key] })) }))

  app.get('/templates', {
    schema: { tags, summary: 'List templates by name', querystring: PageQuery, response: { 200: Page(Template), ...problems(400, 401, 404) } }
  }, async (request) => await app.templates.list(request.query))

  app.post('/templates', {
    schema: { tags, summary: 'Create a template', body: TemplateBody, response: { 201: Template, ...problems(400, 401, 403, 404, 422) } }
  }, async (request, reply) => {
    assertMsp(request)
    return reply.code(201).send(toTemplate(await app.templates.create(request.body)))
  })

  app.get('/templates/:templateId', {
    schema: { tags, summary: 'Get a template', params, response: { 200: Template, ...problems(400, 401, 404) } }
  }, async (request) => {
    const row = await app.templates.get(request.params.templateId)
    if (!row) throw notFound(`template ${request.params.templateId}`)
    return toTemplate(row)
  })

  app.put('/templates/:templateId', {
    schema: {
      tags,
      summary: 'Replace a template (versions already created keep their columns)',
      params,
      body: TemplateBody,
      response: { 200: Template, ...problems(400, 401, 403, 404, 422) }
    }
  }, async (request) => {
    assertMsp(request)
    const { name, office365 = DEFAULT_TEMPLATE } = request.body
    return await update(request.params.templateId, { name, office365 })
  })

  app.patch('/templates/:templateId', {
    schema: {
      tags,
      summary: 'Change a template: name, merge mode, columns (show/hide, reorder, rename)',
      params,
      body: TemplatePatch,
      response: { 200: Template, ...problems(400, 401, 403, 404, 422) }
    }
  }, async (request) => {
    assertMsp(request)
    return await update(request.params.templateId, request.body)
  })

  async function update (id: string, change: TemplatePatch) {
    const row = await app.templates.update(id, change)
    if (!row) throw notFound(`template ${id}`)
    return toTemplate(row)
  }

  app.delete('/templates/:templateId', {
    schema: { tags, summary: 'Delete a template no report uses', params, response: { 204: Type.Null(), ...problems(400, 401, 403, 404, 409) } }
  }, async (request, reply) => {
    assertMsp(request)
    const { templateId } = request.params
    const result = await app.templates.delete(templateId)
    if (result === 'missing') throw notFound(`template ${templateId}`)
    if (result === 'default') throw conflict('TEMPLATE_IS_DEFAULT', `template ${templateId} is the default template`)
    if (result === 'in-use') throw conflict('TEMPLATE_IN_USE', `template ${templateId} is used by reports`)
    return reply.code(204).send(null)
  })
}

export default templates
