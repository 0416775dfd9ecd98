import t from 'tap'
import { createConfig, lintFromString } from '@redocly/openapi-core'
import { fetch } from 'undici'
import { startStack } from './helper.js'

interface Operation {
  operationId?: string
  tags?: string[]
  summary?: string
  security?: unknown[]
  parameters?: Array<{ in: string, name: string, schema?: unknown }>
  requestBody?: { content?: Record<string, { schema?: unknown }> }
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>
}
type Document = { openapi: string, paths: Record<string, Record<string, Operation>>, components: { schemas: Record<string, unknown> } }

/** What the issue asks the gateway to serve; a route that disappears fails here. */
const REQUIRED = [
  'GET /v1/clients', 'POST /v1/clients', 'GET /v1/clients/{clientId}',
  'GET /v1/clients/{clientId}/tenants', 'POST /v1/clients/{clientId}/tenants/connect', 'GET /v1/connect/callback',
  'GET /v1/clients/{clientId}/tenants/{tenantId}', 'DELETE /v1/clients/{clientId}/tenants/{tenantId}', 'PUT /v1/clients/{clientId}/tenants/{tenantId}/credentials',
  'POST /v1/clients/{clientId}/tenants/{tenantId}/sync', 'GET /v1/syncs/{syncId}', 'GET /v1/clients/{clientId}/tenants/{tenantId}/syncs',
  'GET /v1/clients/{clientId}/office365/users', 'GET /v1/clients/{clientId}/office365/licenses',
  'GET /v1/templates', 'POST /v1/templates', 'GET /v1/templates/{templateId}', 'PATCH /v1/templates/{templateId}',
  'GET /v1/clients/{clientId}/reports', 'POST /v1/clients/{clientId}/reports', 'GET /v1/reports/{reportId}',
  'GET /v1/reports/{reportId}/versions', 'POST /v1/reports/{reportId}/versions',
  'GET /v1/report-versions/{versionId}', 'GET /v1/report-versions/{versionId}/rows', 'GET /v1/report-versions/{versionId}/diff',
  'POST /v1/report-versions/{versionId}/share', 'POST /v1/report-versions/{versionId}/unshare',
  'POST /v1/psa-connections', 'GET /v1/psa-connections', 'GET /v1/psa-connections/{connectionId}', 'PATCH /v1/psa-connections/{connectionId}',
  'DELETE /v1/psa-connections/{connectionId}', 'POST /v1/psa-connections/{connectionId}/secret/rotate',
  'PUT /v1/psa-connections/{connectionId}/companies', 'GET /v1/psa-connections/{connectionId}/companies',
  'POST /v1/psa-connections/{connectionId}/backfill', 'GET /v1/psa-connections/{connectionId}/backfills/{runId}',
  'GET /v1/psa-connections/{connectionId}/deliveries', 'POST /v1/psa-connections/{connectionId}/deliveries/retry'
]

const operations = (doc: Document) => Object.entries(doc.paths).flatMap(([path, methods]) =>
  Object.entries(methods).filter(([method]) => method !== 'parameters').map(([method, operation]) => ({ key: `${method.toUpperCase()} ${path}`, operation })))

t.test('/openapi.json: valid OpenAPI 3, every operation described for client generation', async (t) => {
  const stack = await startStack(t)
  const res = await fetch(`${stack.url}/openapi.json`)
  t.equal(res.status, 200)
  const doc = await res.json() as Document
  t.match(doc.openapi, /^3\./)

  // no `servers`: the document is served by the gateway itself, wherever it runs (clients give their baseUrl)
  const config = await createConfig({
    extends: ['recommended'],
    rules: { 'operation-operationId': 'error', 'operation-summary': 'error', 'operation-4xx-response': 'error', 'no-empty-servers': 'off' }
  })
  const problems = await lintFromString({ source: JSON.stringify(doc), absoluteRef: `${stack.url}/openapi.json`, config })
  const errors = problems.filter((p) => p.severity === 'error').map((p) => `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? ''}`)
  t.same(errors, [], 'redocly (recommended ruleset) finds no errors')

  const ops = operations(doc)
  t.same(REQUIRED.filter((key) => !ops.some((op) => op.key === key)), [], 'every route of the issue is there')
  const ids = ops.map((op) => op.operation.operationId)
  t.equal(new Set(ids).size, ids.length, 'operationIds are unique')
  for (const { key, operation } of ops) {
    t.ok(operation.operationId && /^[a-z][A-Za-z0-9]+$/.test(operation.operationId), `${key}: operationId`)
    t.ok(operation.tags?.length, `${key}: tags`)
    t.ok(operation.summary, `${key}: summary`)
    for (const parameter of operation.parameters ?? []) t.ok(parameter.schema, `${key}: ${parameter.in} ${parameter.name} has a schema`)
    if (operation.requestBody) t.ok(operation.requestBody.content?.['application/json']?.schema, `${key}: request body schema`)
    const responses = Object.entries(operation.responses ?? {})
    t.ok(responses.some(([status]) => /^2/.test(status)), `${key}: a success response`)
    for (const [status, response] of responses) {
      if (status === '204' || status === '304') { t.notOk(response.content, `${key} ${status}: no body`); continue }
      const schemas = Object.values(response.content ?? {}).map((media) => media.schema)
      t.ok(schemas.length > 0 && schemas.every(Boolean), `${key} ${status}: response schema`)
      if (/^[45]/.test(status)) t.ok(response.content?.['application/problem+json'], `${key} ${status}: problem+json`)
    }
    if (key === 'GET /v1/connect/callback') {
      t.same(operation.security, [], 'the consent callback is public')
    } else {
      t.equal(operation.security, undefined, `${key}: bearer (the document default)`)
      t.ok(operation.responses?.['401'] && operation.responses['429'], `${key}: 401 and 429 described`)
      t.ok(operation.responses?.['500'], `${key}: 500 described (a failure of ours, relayed or the gateway's)`)
    }
  }
  t.same((doc as unknown as { security: unknown }).security, [{ bearerAuth: [] }])
  t.ok(doc.components.schemas.Problem && doc.components.schemas.ReportVersion, 'shared resources are named components')
  t.notOk(JSON.stringify(doc).includes('def-'), 'no anonymous def-N components')

  const ui = await fetch(`${stack.url}/docs/`)
  t.equal(ui.status, 200)
  t.match(ui.headers.get('content-type'), /text\/html/)
  await ui.body?.cancel()
})
