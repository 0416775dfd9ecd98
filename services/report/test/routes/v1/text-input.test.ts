import t from 'tap'
import { build, MSP } from '../../helper.js'
import { createClient, createReport, createTemplate } from '../../fixtures.js'

t.test('text holding U+0000, which Postgres cannot store: 400 problem+json naming the field, nothing written', async (t) => {
  const { app } = await build(t)
  const clientId = await createClient(app, 'Contoso')
  const templateId = await createTemplate(app, { name: 'Mine' })
  await createReport(app, clientId, templateId)
  const columns = [{ key: 'email', label: 'E\u0000mail' }]
  const requests: Array<[string, string, object | undefined, string]> = [
    ['POST', '/v1/clients', { name: 'a\u0000b' }, 'body/name'],
    ['PATCH', `/v1/clients/${clientId}`, { name: 'a\u0000b' }, 'body/name'],
    ['POST', `/v1/clients/${clientId}/reports`, { name: 'r\u0000' }, 'body/name'],
    ['POST', '/v1/templates', { name: 't\u0000' }, 'body/name'],
    ['POST', '/v1/templates', { name: 'x', office365: { mergeMode: 'none', columns } }, 'body/office365/columns/0/label'],
    ['PATCH', `/v1/templates/${templateId}`, { office365: { columns } }, 'body/office365/columns/0/label'],
    ['PUT', `/v1/templates/${templateId}`, { name: '\u0000' }, 'body/name'],
    ['GET', `/v1/clients/${clientId}/office365/users?q=%00`, undefined, 'querystring/q'],
    ['GET', `/v1/clients/${clientId}/office365/users?license=E3%00`, undefined, 'querystring/license']
  ]
  for (const [method, url, payload, field] of requests) {
    const res = await app.inject({ method: method as 'POST', url, headers: MSP, ...(payload && { payload }) })
    t.equal(res.statusCode, 400, `${method} ${url} ${field}`)
    t.match(res.headers['content-type'], /^application\/problem\+json/)
    t.match(res.json(), { status: 400, code: 'VALIDATION_FAILED', detail: new RegExp(`^${field} `) })
  }
  t.same((await app.inject({ url: '/v1/clients', headers: MSP })).json().items.map((c: { name: string }) => c.name), ['Contoso'])
  t.equal((await app.inject({ url: `/v1/clients/${clientId}/reports`, headers: MSP })).json().items.length, 1)
  t.match((await app.inject({ url: `/v1/templates/${templateId}`, headers: MSP })).json(), { name: 'Mine', revision: 1 })
})
