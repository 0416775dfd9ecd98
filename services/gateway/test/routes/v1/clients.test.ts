import t from 'tap'
import { randomUUID } from 'node:crypto'
import { ok, startStack } from '../../helper.js'
import { unlessServices } from '../../services.js'

t.test('clients through the gateway: create, list, get, rename, delete; a client token sees its own only', { skip: unlessServices('report') }, async (t) => {
  const stack = await startStack(t, { services: ['report'] })
  const api = stack.api()
  const created = await api.POST('/v1/clients', { body: { name: 'Contoso' } })
  t.equal(created.response.status, 201)
  const contoso = ok(created, 'create Contoso')
  t.match(contoso, { name: 'Contoso', tenants: [], psaCompanies: [] })
  const fabrikam = ok(await api.POST('/v1/clients', { body: { name: 'Fabrikam' } }), 'create Fabrikam')

  const all = ok(await api.GET('/v1/clients', { params: { query: { limit: 10 } } }), 'list')
  t.same(all.items.map((c) => c.name), ['Contoso', 'Fabrikam'])

  const portal = stack.api(await stack.token({ role: 'client', clientId: contoso.id }))
  const own = ok(await portal.GET('/v1/clients', {}), 'list as client')
  t.same(own.items.map((c) => c.id), [contoso.id], 'a client token lists its own client only')
  t.equal((await portal.GET('/v1/clients/{clientId}', { params: { path: { clientId: contoso.id } } })).response.status, 200)
  const foreign = await portal.GET('/v1/clients/{clientId}', { params: { path: { clientId: fabrikam.id } } })
  t.equal(foreign.response.status, 404)
  t.match(foreign.response.headers.get('content-type'), /^application\/problem\+json/)
  t.notMatch(JSON.stringify(foreign.error), /Fabrikam/)
  const write = await portal.PATCH('/v1/clients/{clientId}', { params: { path: { clientId: contoso.id } }, body: { name: 'Mine now' } })
  t.equal(write.response.status, 403, 'a client token may not write, even its own client')

  const renamed = ok(await api.PATCH('/v1/clients/{clientId}', { params: { path: { clientId: fabrikam.id } }, body: { name: 'Fabrikam Ltd' } }), 'rename')
  t.equal(renamed.name, 'Fabrikam Ltd')
  const deleted = await api.DELETE('/v1/clients/{clientId}', { params: { path: { clientId: fabrikam.id } } })
  t.equal(deleted.response.status, 204)
  t.equal((await api.GET('/v1/clients/{clientId}', { params: { path: { clientId: fabrikam.id } } })).response.status, 404)
  const unknown = await api.GET('/v1/clients/{clientId}', { params: { path: { clientId: randomUUID() } } })
  t.equal(unknown.response.status, 404)
  t.match(unknown.error, { status: 404, code: 'NOT_FOUND', detail: /does not exist/ }, "the service's problem is relayed")
})

t.test('validation errors name the field and reach no service', { skip: unlessServices('report') }, async (t) => {
  const stack = await startStack(t, { services: ['report'] })
  const api = stack.api()
  const empty = await api.POST('/v1/clients', { body: { name: '' } })
  t.equal(empty.response.status, 400)
  t.match(empty.error, { code: 'VALIDATION_FAILED', detail: /body\/name/ })
  const badId = await api.GET('/v1/clients/{clientId}', { params: { path: { clientId: 'not-a-uuid' } } })
  t.equal(badId.response.status, 400)
  t.match(badId.error, { detail: /params\/clientId/ })
  t.same(ok(await api.GET('/v1/clients', {}), 'list').items, [], 'nothing was written')
})
