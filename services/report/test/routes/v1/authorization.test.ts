import t from 'tap'
import { DEFAULT_TEMPLATE_ID } from '../../../src/index.js'
import { asClient, build, MSP } from '../../helper.js'
import { connectTenant, createClient, createReport, createVersion, syncTenant, user } from '../../fixtures.js'

t.test("client A's principal on client B's resources: 404 on every read route, 403 on every write", async (t) => {
  const { app } = await build(t)
  const a = await createClient(app, 'A')
  const b = await createClient(app, 'B')
  await syncTenant(app, { tenantId: await connectTenant(app, b), clientId: b, users: [user({ displayName: 'B user' })] })
  const reportId = await createReport(app, b)
  const v1 = await createVersion(app, reportId)
  const v2 = await createVersion(app, reportId)
  for (const id of [v1.id, v2.id]) await app.inject({ method: 'POST', url: `/v1/report-versions/${id}/share`, headers: MSP })
  const asA = asClient(a)

  const reads = [
    `/v1/clients/${b}`,
    `/v1/clients/${b}/reports`,
    `/v1/clients/${b}/office365/users`,
    `/v1/clients/${b}/office365/licenses`,
    `/v1/reports/${reportId}`,
    `/v1/reports/${reportId}/versions`,
    `/v1/report-versions/${v1.id}`,
    `/v1/report-versions/${v1.id}/rows`,
    `/v1/report-versions/${v2.id}/diff?against=${v1.id}`,
    '/v1/templates',
    `/v1/templates/${DEFAULT_TEMPLATE_ID}`
  ]
  for (const url of reads) {
    t.equal((await app.inject({ url, headers: MSP })).statusCode, 200, `msp reads ${url}`)
    t.equal((await app.inject({ url, headers: asClient(b) })).statusCode, url.includes('templates') ? 404 : 200, `B reads ${url}`)
    const res = await app.inject({ url, headers: asA })
    t.equal(res.statusCode, 404, `A gets 404 on ${url}`)
    t.notMatch(res.body, 'B user', 'and none of the data')
  }
  const csv = await app.inject({ url: `/v1/report-versions/${v1.id}/rows`, headers: { ...asA, accept: 'text/csv' } })
  t.equal(csv.statusCode, 404, 'CSV too')
  t.same((await app.inject({ url: '/v1/clients', headers: asA })).json().items.map((c: { id: string }) => c.id), [a])

  const writes: Array<[string, string, object?]> = [
    ['POST', '/v1/clients', { name: 'x' }],
    ['PATCH', `/v1/clients/${b}`, { name: 'x' }],
    ['PATCH', `/v1/clients/${a}`, { name: 'x' }],
    ['DELETE', `/v1/clients/${b}`],
    ['DELETE', `/v1/clients/${a}`],
    ['POST', `/v1/clients/${b}/reports`, { name: 'x' }],
    ['POST', `/v1/clients/${a}/reports`, { name: 'x' }],
    ['POST', `/v1/reports/${reportId}/versions`],
    ['POST', `/v1/report-versions/${v1.id}/share`],
    ['POST', `/v1/report-versions/${v1.id}/unshare`],
    ['POST', '/v1/templates', { name: 'x' }],
    ['PUT', `/v1/templates/${DEFAULT_TEMPLATE_ID}`, { name: 'x' }],
    ['PATCH', `/v1/templates/${DEFAULT_TEMPLATE_ID}`, { name: 'x' }],
    ['DELETE', `/v1/templates/${DEFAULT_TEMPLATE_ID}`]
  ]
  for (const [method, url, payload] of writes) {
    for (const headers of [asA, asClient(b)]) {
      const res = await app.inject({ method: method as 'POST', url, headers, ...(payload && { payload }) })
      t.equal(res.statusCode, 403, `${method} ${url}`)
    }
  }
  t.equal((await app.inject({ url: `/v1/reports/${reportId}/versions`, headers: MSP })).json().items.length, 2, 'nothing was written')
  t.equal((await app.inject({ url: `/v1/clients/${b}`, headers: MSP })).json().name, 'B')
  t.equal((await app.inject({ url: `/v1/clients/${a}/reports`, headers: MSP })).json().items.length, 0)
})

t.test('a forged or malformed principal is 401', async (t) => {
  const { app } = await build(t)
  for (const value of ['garbage', Buffer.from('{"role":"admin","sub":"x"}').toString('base64url')]) {
    const res = await app.inject({ url: '/v1/clients', headers: { 'x-m365-principal': value } })
    t.equal(res.statusCode, 401)
    t.match(res.headers['content-type'], /application\/problem\+json/)
  }
})
