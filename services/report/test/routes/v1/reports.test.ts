import t from 'tap'
import { randomUUID } from 'node:crypto'
import { DEFAULT_TEMPLATE_ID } from '../../../src/index.js'
import { asClient, build, MSP } from '../../helper.js'
import { createClient, createTemplate } from '../../fixtures.js'

t.test('reports: create with the default or a named template, list newest first, get', async (t) => {
  const { app } = await build(t)
  const clientId = await createClient(app)
  const templateId = await createTemplate(app, { name: 'T' })
  const created = []
  for (const [name, template] of [['First', undefined], ['Second', templateId], ['Third', undefined]] as const) {
    const res = await app.inject({ method: 'POST', url: `/v1/clients/${clientId}/reports`, headers: MSP, payload: { name, templateId: template } })
    t.equal(res.statusCode, 201)
    created.push(res.json())
  }
  t.match(created, [{ name: 'First', templateId: DEFAULT_TEMPLATE_ID, clientId, latestVersion: null }, { templateId }, { name: 'Third' }])
  const first = (await app.inject({ url: `/v1/clients/${clientId}/reports?limit=2`, headers: MSP })).json()
  t.same(first.items.map((r: { name: string }) => r.name), ['Third', 'Second'])
  const rest = (await app.inject({ url: `/v1/clients/${clientId}/reports?limit=2&cursor=${first.nextCursor}`, headers: MSP })).json()
  t.same(rest.items.map((r: { name: string }) => r.name), ['First'])
  t.equal(rest.nextCursor, null)
  t.same((await app.inject({ url: `/v1/reports/${created[0].id}`, headers: MSP })).json(), created[0])
  t.same((await app.inject({ url: `/v1/reports/${created[0].id}`, headers: asClient(clientId) })).json(), created[0], 'the client reads its reports')
  t.equal((await app.inject({ url: `/v1/reports/${randomUUID()}`, headers: MSP })).statusCode, 404)
})

t.test('reports: bad bodies 400, unknown template 422, unknown client 404, nothing written', async (t) => {
  const { app } = await build(t)
  const clientId = await createClient(app)
  const cases: Array<[object, number, RegExp]> = [
    [{}, 400, /body must have required property 'name'/],
    [{ name: '' }, 400, /body\/name/],
    [{ name: 'x', templateId: 'not-a-uuid' }, 400, /body\/templateId/],
    [{ name: 'x', templateId: randomUUID() }, 422, /body\/templateId: template .* does not exist/]
  ]
  for (const [payload, status, detail] of cases) {
    const res = await app.inject({ method: 'POST', url: `/v1/clients/${clientId}/reports`, headers: MSP, payload })
    t.equal(res.statusCode, status)
    t.match(res.json().detail, detail)
  }
  const missing = await app.inject({ method: 'POST', url: `/v1/clients/${randomUUID()}/reports`, headers: MSP, payload: { name: 'x' } })
  t.equal(missing.statusCode, 404)
  t.equal((await app.inject({ url: `/v1/clients/${randomUUID()}/reports`, headers: MSP })).statusCode, 404)
  t.same((await app.inject({ url: `/v1/clients/${clientId}/reports`, headers: MSP })).json().items, [])
})
