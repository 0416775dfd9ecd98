import t from 'tap'
import { randomUUID } from 'node:crypto'
import { COLUMN_KEYS } from '@m365/api'
import { DEFAULT_TEMPLATE_ID } from '../../../src/index.js'
import { asClient, build, MSP } from '../../helper.js'
import { createClient, createReport } from '../../fixtures.js'

const body = {
  name: 'MFA audit',
  office365: {
    mergeMode: 'contacts+o365',
    columns: [{ key: 'contactName', label: 'Person' }, { key: 'mfaStatus' }, { key: 'licenses', visible: false }]
  }
}

t.test('a default template exists and every catalogue column is listed', async (t) => {
  const { app } = await build(t)
  const res = await app.inject({ url: `/v1/templates/${DEFAULT_TEMPLATE_ID}`, headers: MSP })
  t.equal(res.statusCode, 200)
  const template = res.json()
  t.match(template, { isDefault: true, office365: { mergeMode: 'o365+contacts' } })
  t.same(template.office365.columns.map((c: { key: string }) => c.key).sort(), [...COLUMN_KEYS].sort())
  t.same(template.office365.columns.map((c: { position: number }) => c.position), COLUMN_KEYS.map((_, i) => i + 1))
  const catalogue = (await app.inject({ url: '/v1/templates/columns', headers: MSP })).json()
  t.same(catalogue.items.map((c: { key: string }) => c.key), COLUMN_KEYS)
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/templates/${DEFAULT_TEMPLATE_ID}`, headers: MSP })).statusCode, 409)
})

t.test('create, list, get, patch (rename, hide, reorder), put, delete', async (t) => {
  const { app } = await build(t)
  const created = await app.inject({ method: 'POST', url: '/v1/templates', headers: MSP, payload: body })
  t.equal(created.statusCode, 201)
  const id = created.json().id
  t.same(created.json().office365.columns, [
    { key: 'contactName', label: 'Person', visible: true, position: 1 },
    { key: 'mfaStatus', label: 'MFA status', visible: true, position: 2 },
    { key: 'licenses', label: 'Licenses', visible: false, position: 3 }
  ])
  t.equal(created.json().revision, 1)

  const list = (await app.inject({ url: '/v1/templates?limit=1', headers: MSP })).json()
  t.equal(list.items.length, 1)
  const rest = (await app.inject({ url: `/v1/templates?cursor=${list.nextCursor}`, headers: MSP })).json()
  t.same([...list.items, ...rest.items].map((x: { name: string }) => x.name), ['MFA audit', 'Office 365 users and contacts'])

  const patched = await app.inject({
    method: 'PATCH',
    url: `/v1/templates/${id}`,
    headers: MSP,
    payload: { office365: { columns: [{ key: 'licenses', label: 'Licences', visible: true }, { key: 'contactName', label: 'Person', visible: false }] } }
  })
  t.equal(patched.statusCode, 200)
  t.match(patched.json(), { name: 'MFA audit', revision: 2, office365: { mergeMode: 'contacts+o365' } })
  t.same(patched.json().office365.columns, [
    { key: 'licenses', label: 'Licences', visible: true, position: 1 },
    { key: 'contactName', label: 'Person', visible: false, position: 2 }
  ])

  const put = await app.inject({ method: 'PUT', url: `/v1/templates/${id}`, headers: MSP, payload: { name: 'Plain', office365: { mergeMode: 'none', columns: [{ key: 'email' }] } } })
  t.match(put.json(), { name: 'Plain', revision: 3, office365: { mergeMode: 'none', columns: [{ key: 'email', label: 'Email', visible: true, position: 1 }] } })
  t.same((await app.inject({ url: `/v1/templates/${id}`, headers: MSP })).json(), put.json())

  t.equal((await app.inject({ method: 'DELETE', url: `/v1/templates/${id}`, headers: MSP })).statusCode, 204)
  t.equal((await app.inject({ url: `/v1/templates/${id}`, headers: MSP })).statusCode, 404)
  t.equal((await app.inject({ method: 'PATCH', url: `/v1/templates/${randomUUID()}`, headers: MSP, payload: { name: 'x' } })).statusCode, 404)
})

t.test('unknown or repeated column keys: 422 naming the key, nothing written', async (t) => {
  const { app } = await build(t)
  const unknown = await app.inject({
    method: 'POST', url: '/v1/templates', headers: MSP, payload: { ...body, office365: { mergeMode: 'none', columns: [{ key: 'email' }, { key: 'shoeSize' }] } }
  })
  t.equal(unknown.statusCode, 422)
  t.match(unknown.headers['content-type'], /application\/problem\+json/)
  t.match(unknown.json(), { code: 'REPORT_UNKNOWN_COLUMN', detail: 'body/office365/columns/1/key: column shoeSize is not known' })
  const twice = await app.inject({
    method: 'POST', url: '/v1/templates', headers: MSP, payload: { ...body, office365: { mergeMode: 'none', columns: [{ key: 'email' }, { key: 'email' }] } }
  })
  t.equal(twice.statusCode, 422)
  t.match(twice.json().detail, /column email is listed twice/)
  t.equal((await app.inject({ url: '/v1/templates', headers: MSP })).json().items.length, 1, 'only the default')

  const patch = await app.inject({
    method: 'PATCH', url: `/v1/templates/${DEFAULT_TEMPLATE_ID}`, headers: MSP, payload: { office365: { columns: [{ key: 'nope' }] } }
  })
  t.equal(patch.statusCode, 422)
  t.match(patch.json().detail, /column nope is not known/)
  t.equal((await app.inject({ url: `/v1/templates/${DEFAULT_TEMPLATE_ID}`, headers: MSP })).json().revision, 1, 'unchanged')
})

t.test('columns that show nothing: 422, nothing written', async (t) => {
  const { app } = await build(t)
  const hidden = [{ key: 'email', visible: false }, { key: 'mfaStatus', visible: false }]
  const created = await app.inject({ method: 'POST', url: '/v1/templates', headers: MSP, payload: { ...body, office365: { mergeMode: 'none', columns: hidden } } })
  t.equal(created.statusCode, 422)
  t.match(created.json(), { code: 'REPORT_NO_VISIBLE_COLUMN', detail: 'body/office365/columns: at least one column must be visible' })
  const patch = await app.inject({ method: 'PATCH', url: `/v1/templates/${DEFAULT_TEMPLATE_ID}`, headers: MSP, payload: { office365: { columns: hidden } } })
  t.equal(patch.statusCode, 422)
  t.equal((await app.inject({ url: '/v1/templates', headers: MSP })).json().items.length, 1, 'only the default')
  t.equal((await app.inject({ url: `/v1/templates/${DEFAULT_TEMPLATE_ID}`, headers: MSP })).json().revision, 1, 'unchanged')
})

t.test('bad bodies: 400 naming the field', async (t) => {
  const { app } = await build(t)
  const cases: Array<[unknown, RegExp]> = [
    [{ office365: body.office365 }, /required property 'name'/],
    [{ ...body, office365: { ...body.office365, mergeMode: 'sideways' } }, /body\/office365\/mergeMode/],
    [{ ...body, office365: { ...body.office365, columns: [] } }, /body\/office365\/columns must NOT have fewer than 1 items/],
    [{ ...body, office365: { ...body.office365, columns: [{ label: 'x' }] } }, /body\/office365\/columns\/0 must have required property 'key'/],
    [{ ...body, office365: { ...body.office365, columns: [{ key: 'email', visible: 'perhaps' }] } }, /body\/office365\/columns\/0\/visible/]
  ]
  for (const [payload, detail] of cases) {
    const res = await app.inject({ method: 'POST', url: '/v1/templates', headers: MSP, payload: payload as object })
    t.equal(res.statusCode, 400)
    t.match(res.json().detail, detail)
  }
  t.equal((await app.inject({ url: '/v1/templates', headers: MSP })).json().items.length, 1)
})

t.test('a template used by a report cannot be deleted', async (t) => {
  const { app } = await build(t)
  const id = (await app.inject({ method: 'POST', url: '/v1/templates', headers: MSP, payload: body })).json().id
  await createReport(app, await createClient(app), id)
  const res = await app.inject({ method: 'DELETE', url: `/v1/templates/${id}`, headers: MSP })
  t.equal(res.statusCode, 409)
  t.equal(res.json().code, 'TEMPLATE_IN_USE')
})

t.test('client principals: templates do not exist for them, writes are 403', async (t) => {
  const { app } = await build(t)
  const client = asClient(await createClient(app))
  for (const url of ['/v1/templates', '/v1/templates/columns', `/v1/templates/${DEFAULT_TEMPLATE_ID}`]) {
    t.equal((await app.inject({ url, headers: client })).statusCode, 404, url)
  }
  t.equal((await app.inject({ method: 'POST', url: '/v1/templates', headers: client, payload: body })).statusCode, 403)
  t.equal((await app.inject({ method: 'PATCH', url: `/v1/templates/${DEFAULT_TEMPLATE_ID}`, headers: client, payload: { name: 'x' } })).statusCode, 403)
  t.equal((await app.inject({ method: 'PUT', url: `/v1/templates/${DEFAULT_TEMPLATE_ID}`, headers: client, payload: body })).statusCode, 403)
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/templates/${DEFAULT_TEMPLATE_ID}`, headers: client })).statusCode, 403)
})
