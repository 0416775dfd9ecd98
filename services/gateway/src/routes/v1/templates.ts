import { ColumnCatalogue, Page, PageQuery, TemplateBody, TemplatePatch } from '@m365/api'
import { ref } from '../schemas.js'
import type { ForwardRoute } from '../forward.js'
import { TemplateParams } from './params.js'

const access = { mspOnly: true }

/** report: templates are MSP staff's; to a client token they do not exist. */
export const templateRoutes: ForwardRoute[] = [
  {
    method: 'GET', url: '/templates/columns', operationId: 'getColumnCatalogue', summary: 'The column catalogue of the Office 365 Part', responses: { 200: ColumnCatalogue }, access
  },
  { method: 'GET', url: '/templates', operationId: 'listTemplates', summary: 'List templates by name', querystring: PageQuery, responses: { 200: Page(ref('Template')) }, access },
  {
    method: 'POST', url: '/templates', operationId: 'createTemplate', summary: 'Create a template', body: TemplateBody, responses: { 201: ref('Template') }, problems: [422], access
  },
  { method: 'GET', url: '/templates/:templateId', operationId: 'getTemplate', summary: 'Get a template', params: TemplateParams, responses: { 200: ref('Template') }, access },
  {
    method: 'PUT',
    url: '/templates/:templateId',
    operationId: 'replaceTemplate',
    summary: 'Replace a template (versions already created keep their columns)',
    params: TemplateParams,
    body: TemplateBody,
    responses: { 200: ref('Template') },
    problems: [422],
    access
  },
  {
    method: 'PATCH',
    url: '/templates/:templateId',
    operationId: 'updateTemplate',
    summary: 'Change a template: name, merge mode, columns (show/hide, reorder, rename)',
    params: TemplateParams,
    body: TemplatePatch,
    responses: { 200: ref('Template') },
    problems: [422],
    access
  },
  {
    method: 'DELETE',
    url: '/templates/:templateId',
    operationId: 'deleteTemplate',
    summary: 'Delete a template no report uses',
    params: TemplateParams,
    responses: { 204: null },
    problems: [409],
    access
  }
]
