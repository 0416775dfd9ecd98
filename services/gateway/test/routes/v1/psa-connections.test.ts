import { randomUUID } from 'node:crypto'
import t from 'tap'
import { fetch } from 'undici'
import { buildHaloWebhook, startPsaSimulator } from '@m365/psa-simulator'
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

t.test('failed webhook deliveries through the gateway: listed with their error, retried after the credentials are fixed, MSP only', {
  skip: unlessServices('report', 'contacts-ingest')
}, async (t) => {
  const psa = await startPsaSimulator()
  t.teardown(() => psa.close())
  const company = psa.admin.createCompany({ name: 'Northwind' })
  const kim = psa.admin.createContact({ companyId: company.id, firstName: 'Kim', lastName: 'Ng', emails: ['kim@northwind.example'] })
  const stack = await startStack(t, {
    services: ['report', 'contacts-ingest'],
    serviceEnv: { 'contacts-ingest': { DELIVERY_MAX_ATTEMPTS: '2', DELIVERY_RETRY_BASE_MS: '50', DELIVERY_RETRY_MAX_MS: '200' } }
  })
  const api = stack.api()
  const client = ok(await api.POST('/v1/clients', { body: { name: 'Northwind' } }), 'client')
  const { clientId, clientSecret, baseUrl } = psa.clientOptions.halopsa
  const webhookSecret = 'Halo-Bearer-0123456789'
  const connection = ok(await api.POST('/v1/psa-connections', {
    body: { psa: 'halopsa', name: 'Halo', baseUrl, credentials: { clientId, clientSecret: 'wrong-halo-secret' }, webhookSecret, webhookAuth: { type: 'bearer' } }
  }), 'connection')
  const params = { path: { connectionId: connection.id } }
  ok(await api.PUT('/v1/psa-connections/{connectionId}/companies', {
    params, body: { companies: [{ companyExternalId: String(company.id), clientId: client.id }] }
  }), 'mapping')
  // a Halo webhook is a hint: the contact is always fetched, which the wrong client secret cannot
  const hook = await fetch(`${stack.url}${connection.webhookPath}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${webhookSecret}` },
    body: JSON.stringify(buildHaloWebhook(kim, { action: 'update' }))
  })
  t.equal(hook.status, 202)
  await hook.body?.cancel()

  let failed: Array<{ id: string, lastError: string | null, attempts: number }> = []
  await waitFor(async () => {
    failed = ok(await api.GET('/v1/psa-connections/{connectionId}/deliveries', { params }), 'deliveries').items
    return failed.length === 1
  }, 'the delivery failed for good')
  t.match(failed[0], { status: 'failed', psa: 'halopsa', attempts: 2, lastError: /answered 401/ })
  t.notMatch(JSON.stringify(failed), /wrong-halo-secret|Halo-Bearer|kim@northwind/, 'no secret, no body')
  t.equal(ok(await api.GET('/v1/psa-connections/{connectionId}', { params }), 'get').failedDeliveries, 1)

  const portal = stack.api(await stack.token({ role: 'client', clientId: client.id }))
  t.equal((await portal.GET('/v1/psa-connections/{connectionId}/deliveries', { params })).response.status, 404, 'a client token: no such thing')
  t.equal((await portal.POST('/v1/psa-connections/{connectionId}/deliveries/retry', { params, body: {} })).response.status, 403, 'and no writes')
  for (const query of [{ limit: 0 }, { limit: 501 }, { cursor: 'nonsense' }, { status: 'done' as 'failed' }]) {
    const bad = await api.GET('/v1/psa-connections/{connectionId}/deliveries', { params: { ...params, query } })
    t.equal(bad.response.status, 400, JSON.stringify(query))
    t.match(bad.response.headers.get('content-type'), /^application\/problem\+json/)
  }
  const badIds = await api.POST('/v1/psa-connections/{connectionId}/deliveries/retry', { params, body: { ids: ['not-a-uuid'] } })
  t.equal(badIds.response.status, 400)
  t.match(badIds.error, { detail: /body\/ids/ })
  const unknown = await api.POST('/v1/psa-connections/{connectionId}/deliveries/retry', { params: { path: { connectionId: randomUUID() } }, body: {} })
  t.equal(unknown.response.status, 404)

  ok(await api.PATCH('/v1/psa-connections/{connectionId}', { params, body: { credentials: { clientId, clientSecret } } }), 'fixed credentials')
  // no body: every failed delivery of the connection
  const retry = await fetch(`${stack.url}/v1/psa-connections/${connection.id}/deliveries/retry`, { method: 'POST', headers: { authorization: `Bearer ${stack.mspToken}` } })
  t.equal(retry.status, 200)
  t.same(await retry.json(), { retried: 1 })
  t.same(ok(await api.POST('/v1/psa-connections/{connectionId}/deliveries/retry', { params, body: { ids: [failed[0]!.id] } }), 'again'), { retried: 0 },
    'already pending or processed: nothing more')
  await waitFor(async () => {
    const processed = ok(await api.GET('/v1/psa-connections/{connectionId}/deliveries', { params: { ...params, query: { status: 'processed' } } }), 'processed')
    return processed.items[0]?.id === failed[0]!.id
  }, 'the retried delivery processed')
  t.equal(ok(await api.GET('/v1/psa-connections/{connectionId}', { params }), 'get').failedDeliveries, 0)
  await waitFor(async () => {
    const current = ok(await api.GET('/v1/clients/{clientId}', { params: { path: { clientId: client.id } } }), 'client')
    return current.psaCompanies[0]?.contacts === 1
  }, 'the contact reached the client')
})
