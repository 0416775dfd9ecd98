import { randomUUID } from 'node:crypto'
import t from 'tap'
import { sql } from 'drizzle-orm'
import { asClient, build, createConnection, headersFor, rowCounts } from '../../helper.js'

const autotask = {
  psa: 'autotask' as const,
  name: 'Autotask prod',
  baseUrl: 'https://webservices5.autotask.net/ATServicesRest',
  credentials: { integrationCode: 'INTEGRATION-CODE-1', username: 'api@msp.example', secret: 'at-api-secret-value' },
  webhookSecret: 'AtSecret-0123456789'
}

t.test('create answers 201 with the connection; credentials and secret are never shown and sealed at rest', async (t) => {
  const h = await build(t, { bus: 'in-process' })
  const res = await h.app.inject({ method: 'POST', url: '/v1/psa-connections', headers: headersFor(), payload: autotask })
  t.equal(res.statusCode, 201)
  const body = res.json()
  t.match(body, {
    psa: 'autotask',
    name: 'Autotask prod',
    baseUrl: autotask.baseUrl,
    hasCredentials: true,
    hasWebhookSecret: true,
    webhookPath: `/webhooks/autotask/${body.id}`,
    webhookAuth: null,
    mappedCompanies: 0,
    failedDeliveries: 0,
    previousSecretValidUntil: null
  })
  t.type(body.secretRotatedAt, 'string')
  for (const secret of ['at-api-secret-value', 'AtSecret-0123456789', 'INTEGRATION-CODE-1']) {
    t.notOk(res.body.includes(secret), `create does not echo ${secret.slice(0, 6)}…`)
    const got = await h.app.inject({ url: `/v1/psa-connections/${body.id}`, headers: headersFor() })
    t.notOk(got.body.includes(secret), 'get does not show it')
  }
  t.notOk('credentials' in body || 'webhookSecret' in body)
  const [row] = await h.query<{ credentials: string, webhook_secret: string }>(sql`select credentials, webhook_secret from contacts_ingest.psa_connections`)
  t.match(row?.credentials, /^v1\.[0-9a-f]{16}\./)
  t.notOk(row?.credentials.includes('at-api-secret-value'), 'credentials are encrypted in the database')
  t.notOk(row?.webhook_secret.includes('AtSecret'), 'the webhook secret is encrypted in the database')
})

t.test('list pages oldest first; get, patch and delete; unknown ids are 404', async (t) => {
  const h = await build(t, { bus: 'in-process' })
  const created = []
  for (let i = 0; i < 3; i++) created.push(await createConnection(h.app, { ...autotask, name: `c${i}` }))
  const first = await h.app.inject({ url: '/v1/psa-connections?limit=2', headers: headersFor() })
  t.equal(first.statusCode, 200)
  t.same(first.json().items.map((c: { name: string }) => c.name), ['c0', 'c1'])
  const second = await h.app.inject({ url: `/v1/psa-connections?limit=2&cursor=${first.json().nextCursor}`, headers: headersFor() })
  t.same(second.json().items.map((c: { name: string }) => c.name), ['c2'])
  t.equal(second.json().nextCursor, null)
  const cursorOf = (values: unknown[]) => Buffer.from(JSON.stringify(values)).toString('base64url')
  // decodable cursors whose values the columns refuse: a 400, not Postgres failing the read
  for (const cursor of ['nonsense', cursorOf(['not a date', randomUUID()]), cursorOf([new Date().toISOString(), 'x'])]) {
    const badCursor = await h.app.inject({ url: `/v1/psa-connections?cursor=${cursor}`, headers: headersFor() })
    t.equal(badCursor.statusCode, 400, cursor)
    t.match(badCursor.json().detail, /querystring\/cursor/)
  }
  const badCompanies = await h.app.inject({ url: `/v1/psa-connections/${created[0]!.id}/companies?cursor=${cursorOf(['a\u0000'])}`, headers: headersFor() })
  t.equal(badCompanies.statusCode, 400, 'a NUL in a company cursor')

  const id = created[0]!.id
  const patched = await h.app.inject({
    method: 'PATCH',
    url: `/v1/psa-connections/${id}`,
    headers: headersFor(),
    payload: { name: 'renamed', credentials: { integrationCode: 'NEW-CODE', username: 'u', secret: 'new-api-secret' } }
  })
  t.equal(patched.statusCode, 200)
  t.equal(patched.json().name, 'renamed')
  t.notOk(patched.body.includes('new-api-secret'))
  t.ok(new Date(patched.json().credentialsUpdatedAt) >= new Date(created[0]!.credentialsUpdatedAt!))

  const unknown = randomUUID()
  for (const [method, url] of [['GET', `/v1/psa-connections/${unknown}`], ['PATCH', `/v1/psa-connections/${unknown}`],
    ['DELETE', `/v1/psa-connections/${unknown}`], ['POST', `/v1/psa-connections/${unknown}/backfill`]] as const) {
    const res = await h.app.inject({ method, url, headers: headersFor(), ...(method === 'PATCH' ? { payload: { name: 'x' } } : {}) })
    t.equal(res.statusCode, 404, `${method} ${url}`)
    t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8')
    t.match(res.json().detail, unknown)
  }
  const deleted = await h.app.inject({ method: 'DELETE', url: `/v1/psa-connections/${id}`, headers: headersFor() })
  t.equal(deleted.statusCode, 204)
  t.equal((await h.app.inject({ url: `/v1/psa-connections/${id}`, headers: headersFor() })).statusCode, 404)
})

t.test('bad bodies are 400 problem+json naming the field, and write nothing', async (t) => {
  const h = await build(t, { bus: 'in-process' })
  const before = await rowCounts(h)
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ ...autotask, psa: 'syncro' }, /body\/psa/],
    [{ ...autotask, baseUrl: 'not a url' }, /body\/baseUrl/],
    [{ ...autotask, name: '' }, /body\/name/],
    [{ ...autotask, credentials: { integrationCode: 'x', username: 'u' } }, /body\/credentials\/secret is required for autotask/],
    [{ ...autotask, credentials: { ...autotask.credentials, privateKey: 'k' } }, /body\/credentials\/privateKey is not used by autotask/],
    [{ ...autotask, webhookSecret: 'short' }, /body\/webhookSecret/],
    [{ ...autotask, webhookAuth: { type: 'basic', username: 'x' } }, /body\/webhookAuth is only for halopsa/],
    [{ psa: 'connectwise', name: 'cw', baseUrl: 'https://api-na.myconnectwise.net/v4_6_release/apis/3.0', webhookSecret: '0123456789ab' }, /webhookSecret is not used by connectwise/],
    [{ psa: 'halopsa', name: 'halo', baseUrl: 'https://acme.halopsa.com', webhookAuth: { type: 'header' } }, /body\/webhookAuth\/headerName is required/]
  ]
  for (const [payload, detail] of cases) {
    const res = await h.app.inject({ method: 'POST', url: '/v1/psa-connections', headers: headersFor(), payload })
    t.equal(res.statusCode, 400, String(detail))
    t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8')
    t.match(res.json().detail, detail)
  }
  t.same(await rowCounts(h), before, 'nothing written')
})

t.test('only MSP staff: no principal is 401, a client principal 403 on every route', async (t) => {
  const h = await build(t, { bus: 'in-process' })
  const { id } = await createConnection(h.app, autotask)
  const routes = [
    ['GET', '/v1/psa-connections'], ['POST', '/v1/psa-connections'], ['GET', `/v1/psa-connections/${id}`],
    ['PATCH', `/v1/psa-connections/${id}`], ['DELETE', `/v1/psa-connections/${id}`], ['POST', `/v1/psa-connections/${id}/secret/rotate`],
    ['PUT', `/v1/psa-connections/${id}/companies`], ['GET', `/v1/psa-connections/${id}/companies`], ['POST', `/v1/psa-connections/${id}/backfill`],
    ['GET', `/v1/psa-connections/${id}/backfills/${randomUUID()}`], ['GET', `/v1/psa-connections/${id}/deliveries`],
    ['POST', `/v1/psa-connections/${id}/deliveries/retry`]
  ] as const
  for (const [method, url] of routes) {
    const anonymous = await h.app.inject({ method, url, payload: method === 'GET' || method === 'DELETE' ? undefined : {} })
    t.equal(anonymous.statusCode, 401, `${method} ${url} without principal`)
    const client = await h.app.inject({ method, url, headers: headersFor(asClient(randomUUID())), payload: method === 'GET' || method === 'DELETE' ? undefined : {} })
    t.equal(client.statusCode, 403, `${method} ${url} as a client`)
    t.equal(client.headers['content-type'], 'application/problem+json; charset=utf-8')
  }
  t.equal((await h.app.inject({ url: `/v1/psa-connections/${id}`, headers: headersFor() })).statusCode, 200, 'still there')
})

t.test('rotating a secret: a generated one is shown once; the old one has a grace period', async (t) => {
  const h = await build(t, { bus: 'in-process', env: { SECRET_ROTATION_GRACE_SECONDS: '3600' } })
  const { id } = await createConnection(h.app, autotask)
  const generated = await h.app.inject({ method: 'POST', url: `/v1/psa-connections/${id}/secret/rotate`, headers: headersFor(), payload: {} })
  t.equal(generated.statusCode, 200)
  const { webhookSecret, connection } = generated.json()
  t.type(webhookSecret, 'string')
  t.ok(webhookSecret.length >= 32)
  const validUntil = new Date(connection.previousSecretValidUntil).getTime()
  t.ok(Math.abs(validUntil - (Date.now() + 3_600_000)) < 60_000, 'default grace from config')
  const later = await h.app.inject({ url: `/v1/psa-connections/${id}`, headers: headersFor() })
  t.notOk(later.body.includes(webhookSecret), 'never shown again')

  const given = await h.app.inject({
    method: 'POST', url: `/v1/psa-connections/${id}/secret/rotate`, headers: headersFor(), payload: { webhookSecret: 'chosen-by-the-msp', graceSeconds: 60 }
  })
  t.equal(given.statusCode, 200)
  t.notOk('webhookSecret' in given.json(), 'a given secret is not echoed')
  t.notOk(given.body.includes('chosen-by-the-msp'))

  const cw = await createConnection(h.app, { psa: 'connectwise', name: 'cw', baseUrl: 'https://api-na.myconnectwise.net/v4_6_release/apis/3.0' })
  const cwRotate = await h.app.inject({ method: 'POST', url: `/v1/psa-connections/${cw.id}/secret/rotate`, headers: headersFor(), payload: {} })
  t.equal(cwRotate.statusCode, 400)
  t.match(cwRotate.json().detail, /connectwise/)
})

t.test('a name holding U+0000 (Postgres stores none) is a 400 naming the field, and nothing is created', async (t) => {
  const h = await build(t, { bus: 'in-process' })
  const res = await h.app.inject({ method: 'POST', url: '/v1/psa-connections', headers: headersFor(), payload: { ...autotask, name: 'Autotask\u0000' } })
  t.equal(res.statusCode, 400)
  t.match(res.json(), { code: 'VALIDATION_FAILED', detail: /^body\/name must not contain the NUL character/ })
  t.equal((await h.app.inject({ url: '/v1/psa-connections', headers: headersFor() })).json().items.length, 0)
})
