import t from 'tap'
import { startPsaSimulator } from '@m365/psa-simulator'
import { ok, startStack, waitFor } from '../../helper.js'
import { unlessServices } from '../../services.js'

t.test('PSA connections through the gateway: create, list, get, patch, rotate, map companies to a client, backfill, delete', {
  skip: unlessServices('report', 'contacts-ingest')
}, async (t) => {
  const psa = await startPsaSimulator()
  t.teardown(() => psa.close())
  const company = psa.admin.createCompany({ name: 'Contoso Ltd' })
  psa.admin.createContact({ companyId: company.id, firstName: 'Dana', lastName: 'Reyes', emails: ['dana@contoso.example'] })
  psa.admin.createContact({ companyId: company.id, firstName: 'Zoë', lastName: "O'Brien", emails: ['zoe@contoso.example'] })

  const stack = await startStack(t, { services: ['report', 'contacts-ingest'] })
  const api = stack.api()
  const client = ok(await api.POST('/v1/clients', { body: { name: 'Contoso' } }), 'client')
  const { integrationCode, username, secret, baseUrl } = psa.clientOptions.autotask
  const created = await api.POST('/v1/psa-connections', {
    body: { psa: 'autotask', name: 'Autotask', baseUrl, credentials: { integrationCode, username, secret }, webhookSecret: 'At-Secret-0123456789' }
  })
  t.equal(created.response.status, 201)
  const connection = ok(created, 'connection')
  t.match(connection, { psa: 'autotask', hasCredentials: true, hasWebhookSecret: true, webhookPath: `/webhooks/autotask/${connection.id}` })
  t.notMatch(JSON.stringify(connection), /sim-autotask-secret|At-Secret/, 'secrets are write-only')
  const listed = ok(await api.GET('/v1/psa-connections', {}), 'list')
  t.same(listed.items.map((c) => c.id), [connection.id])
  const params = { path: { connectionId: connection.id } }
  t.equal(ok(await api.GET('/v1/psa-connections/{connectionId}', { params }), 'get').name, 'Autotask')
  t.equal(ok(await api.PATCH('/v1/psa-connections/{connectionId}', { params, body: { name: 'Autotask EU' } }), 'patch').name, 'Autotask EU')
  const rotated = ok(await api.POST('/v1/psa-connections/{connectionId}/secret/rotate', { params, body: {} }), 'rotate')
  t.ok(rotated.webhookSecret && rotated.connection.previousSecretValidUntil, 'a generated secret, shown once; the old one in its grace period')

  const mapped = ok(await api.PUT('/v1/psa-connections/{connectionId}/companies', {
    params, body: { companies: [{ companyExternalId: String(company.id), clientId: client.id }] }
  }), 'mapping')
  t.same(mapped.companies, [{ companyExternalId: String(company.id), clientId: client.id }])
  const started = await api.POST('/v1/psa-connections/{connectionId}/backfill', { params })
  t.equal(started.response.status, 202)
  const run = ok(started, 'backfill')
  const done = await waitFor(async () => {
    const current = ok(await api.GET('/v1/psa-connections/{connectionId}/backfills/{runId}', { params: { path: { connectionId: connection.id, runId: run.id } } }), 'run')
    return current.status === 'completed' || current.status === 'failed' ? current : undefined
  }, 'the backfill run')
  t.match(done, { status: 'completed', contactsSeen: 2, upserted: 2 })
  const companies = ok(await api.GET('/v1/psa-connections/{connectionId}/companies', { params }), 'companies')
  t.match(companies.items, [{ companyExternalId: String(company.id), clientId: client.id, contacts: 2 }])
  const withContacts = await waitFor(async () => {
    const current = ok(await api.GET('/v1/clients/{clientId}', { params: { path: { clientId: client.id } } }), 'client')
    return current.psaCompanies[0]?.contacts === 2 ? current : undefined
  }, "report's client shows the PSA company's contacts")
  t.match(withContacts.psaCompanies, [{ psa: 'autotask', connectionId: connection.id, contacts: 2 }])

  const portal = stack.api(await stack.token({ role: 'client', clientId: client.id }))
  t.equal((await portal.GET('/v1/psa-connections', {})).response.status, 404, 'PSA connections are the MSP\'s')
  t.equal((await portal.GET('/v1/psa-connections/{connectionId}', { params })).response.status, 404)
  t.equal((await portal.POST('/v1/psa-connections/{connectionId}/backfill', { params })).response.status, 403)

  const invalid = await api.POST('/v1/psa-connections', { body: { psa: 'autotask', name: 'x', baseUrl: 'ftp://nope' } })
  t.equal(invalid.response.status, 400)
  t.match(invalid.error, { detail: /body\/baseUrl/ })
  t.equal((await api.DELETE('/v1/psa-connections/{connectionId}', { params })).response.status, 204)
  t.equal((await api.GET('/v1/psa-connections/{connectionId}', { params })).response.status, 404)
})
