import t from 'tap'
import { build } from '../helper.js'

t.test('OpenAPI documents every /v1 route with tags and problem responses', async (t) => {
  const { app } = await build(t)
  const res = await app.inject('/openapi.json')
  t.equal(res.statusCode, 200)
  const spec = res.json()
  const operations = Object.entries(spec.paths as Record<string, Record<string, { tags?: string[], responses: Record<string, unknown> }>>)
    .flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ route: `${method.toUpperCase()} ${path}`, op })))
  t.same(operations.map((o) => o.route).sort(), [
    'DELETE /v1/clients/{clientId}',
    'DELETE /v1/templates/{templateId}',
    'GET /v1/clients',
    'GET /v1/clients/{clientId}',
    'GET /v1/clients/{clientId}/office365/licenses',
    'GET /v1/clients/{clientId}/office365/users',
    'GET /v1/clients/{clientId}/reports',
    'GET /v1/report-versions/{versionId}',
    'GET /v1/report-versions/{versionId}/diff',
    'GET /v1/report-versions/{versionId}/rows',
    'GET /v1/reports/{reportId}',
    'GET /v1/reports/{reportId}/versions',
    'GET /v1/templates',
    'GET /v1/templates/columns',
    'GET /v1/templates/{templateId}',
    'PATCH /v1/clients/{clientId}',
    'PATCH /v1/templates/{templateId}',
    'POST /v1/clients',
    'POST /v1/clients/{clientId}/reports',
    'POST /v1/report-versions/{versionId}/share',
    'POST /v1/report-versions/{versionId}/unshare',
    'POST /v1/reports/{reportId}/versions',
    'POST /v1/templates',
    'PUT /v1/templates/{templateId}'
  ])
  for (const { route, op } of operations) {
    t.ok(op.tags?.length, `${route} has tags`)
    t.ok(op.responses['401'], `${route} documents 401`)
  }
  const rows = spec.paths['/v1/report-versions/{versionId}/rows'].get.responses['200'].content
  t.ok(rows['application/json'] && rows['text/csv'], 'rows: JSON and CSV')
})
