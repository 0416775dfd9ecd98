import t from 'tap'
import Fastify from 'fastify'
import fp from 'fastify-plugin'
import { createEvent, ClientCreated } from '@m365/contracts'
import { createInProcessBus } from '@m365/bus'
import { openDatabase } from '@m365/db'
import { createTestDatabase } from '@m365/db/testing'
import { loadConfig } from '../src/index.js'
import fixtureApp, { DURABLE, FixtureConfig } from './fixtures/app.js'
import { build, waitFor } from './helper.js'

const clientCreated = () => createEvent(ClientCreated, {
  clientId: '6f1c2a34-8d0e-4b6a-9c1d-2e3f4a5b6c7d', name: 'Contoso', createdAt: new Date().toISOString()
})

/** The value of the first sample of `name` carrying all `labels` (in any order). */
function metricValue (body: string, name: string, labels: Record<string, string>): number | undefined {
  const line = body.split('\n').find((line) => line.startsWith(`${name}{`) &&
    Object.entries(labels).every(([label, value]) => line.includes(`${label}="${value}"`)))
  return line === undefined ? undefined : Number(line.split(' ').pop())
}

t.test('/healthz answers while the process lives', async (t) => {
  const { app } = await build(t)
  const res = await app.inject('/healthz')
  t.equal(res.statusCode, 200)
  t.same(res.json(), { status: 'ok' })
})

t.test('/readyz pings db and bus', async (t) => {
  const { app } = await build(t)
  const res = await app.inject('/readyz')
  t.equal(res.statusCode, 200)
  t.same(res.json(), { status: 'ok', checks: { db: 'ok', bus: 'ok' } })
})

t.test('/readyz is 503 problem+json naming the db when it is gone', async (t) => {
  const database = await createTestDatabase(t)
  const handle = await openDatabase({ url: database.url })
  const bus = createInProcessBus()
  const app = Fastify({ logger: false })
  await app.register(fp(fixtureApp), { config: loadConfig(FixtureConfig, {}), db: handle, bus })
  t.teardown(async () => { await app.close(); await bus.close() })
  t.equal((await app.inject('/readyz')).statusCode, 200)
  await handle.close()
  const res = await app.inject('/readyz')
  t.equal(res.statusCode, 503)
  t.match(res.headers['content-type'], /^application\/problem\+json/)
  t.match(res.json(), { status: 503, title: 'Service Unavailable', code: 'NOT_READY', detail: /^not ready: db \(/ })
  t.notMatch(res.json().detail, /bus/, 'the bus is fine')
})

t.test('validation errors: 400 problem+json naming the field', async (t) => {
  const { app } = await build(t)
  const res = await app.inject({ method: 'POST', url: '/things?x=1', payload: { name: '' } })
  t.equal(res.statusCode, 400)
  t.match(res.headers['content-type'], /^application\/problem\+json/)
  t.same(res.json(), {
    type: 'urn:m365:problem:VALIDATION_FAILED',
    title: 'Bad Request',
    status: 400,
    detail: 'body/name must NOT have fewer than 1 characters',
    instance: '/things',
    code: 'VALIDATION_FAILED'
  })
  t.equal((await app.inject({ method: 'POST', url: '/things', payload: { name: 'ok' } })).statusCode, 201)
})

t.test('404: unknown route and reply.notFound() alike', async (t) => {
  const { app } = await build(t)
  const unknown = await app.inject('/nowhere')
  t.equal(unknown.statusCode, 404)
  t.match(unknown.headers['content-type'], /^application\/problem\+json/)
  t.same(unknown.json(), {
    type: 'about:blank', title: 'Not Found', status: 404, detail: 'route GET /nowhere does not exist', instance: '/nowhere', code: 'NOT_FOUND'
  })
  const missing = await app.inject('/things/42')
  t.equal(missing.statusCode, 404)
  t.match(missing.headers['content-type'], /^application\/problem\+json/)
  t.match(missing.json(), { status: 404, detail: 'thing 42 does not exist', code: 'NOT_FOUND', instance: '/things/42' })
})

t.test('500: nothing internal in the answer, the error logged at error level', async (t) => {
  const { app, logs } = await build(t)
  const res = await app.inject('/boom')
  t.equal(res.statusCode, 500)
  t.match(res.headers['content-type'], /^application\/problem\+json/)
  const body = res.json()
  t.match(body, { type: 'about:blank', title: 'Internal Server Error', status: 500, code: 'INTERNAL_SERVER_ERROR', instance: '/boom' })
  t.match(body.detail, /^see logs, request \S+$/)
  t.notMatch(res.body, /hunter2/)
  const logged = logs.lines.find((line) => line.msg === 'request failed')
  t.equal(logged?.level, 50, 'error level')
  t.match(logged, { reqId: body.detail.split(' ').pop(), err: { message: 'db password is hunter2' } })
})

t.test('/metrics: the app\'s own registry with http and consumer metrics', async (t) => {
  const { app, bus } = await build(t)
  const other = await build(t) // a second app in the same process keeps its own numbers
  await app.inject({ method: 'POST', url: '/things', payload: { name: 'x' } })
  await app.inject('/things/1')
  const event = clientCreated()
  await bus.publish(ClientCreated, event)
  await waitFor(async () => (await app.inject(`/handled/${event.id}`)).statusCode === 200, 'the event handled')
  const res = await app.inject('/metrics')
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^text\/plain; version=0\.0\.4/)
  const value = (name: string, labels: Record<string, string>) => metricValue(res.body, name, labels)
  t.equal(value('http_requests_total', { method: 'POST', route: '/things', status_code: '201', service: 'kit-test' }), 1)
  t.equal(value('http_requests_total', { method: 'GET', route: '/things/:id', status_code: '404' }), 1)
  t.equal(value('http_request_duration_seconds_count', { method: 'POST', route: '/things', status_code: '201' }), 1)
  t.equal(value('bus_consumer_messages_total', { consumer: DURABLE, subject: 'client.created', outcome: 'ack', service: 'kit-test' }), 1)
  t.equal(value('bus_consumer_handler_duration_seconds_count', { consumer: DURABLE, outcome: 'ack' }), 1)
  t.equal(value('bus_consumer_in_flight', { consumer: DURABLE }), 0)
  t.match(res.body, /process_cpu_user_seconds_total/)
  const otherMetrics = (await other.app.inject('/metrics')).body
  t.notMatch(otherMetrics, /route="\/things"/, 'the other app counted none of it')
})

t.test('a handler that cannot handle an event yet (RetryLaterError) gets it again, counted as retry, not logged as a failure', async (t) => {
  const { app, bus, logs } = await build(t, { notYetOnce: true })
  const event = clientCreated()
  await bus.publish(ClientCreated, event)
  await waitFor(async () => (await app.inject(`/handled/${event.id}`)).statusCode === 200, 'the event handled on its second delivery')
  const metrics = (await app.inject('/metrics')).body
  t.equal(metricValue(metrics, 'bus_consumer_messages_total', { consumer: DURABLE, outcome: 'retry' }), 1)
  t.equal(metricValue(metrics, 'bus_consumer_messages_total', { consumer: DURABLE, outcome: 'ack' }), 1)
  t.same(logs.lines.filter((line) => Number(line.level) >= 40), [], 'no warning')
})

t.test('a handler that refuses an event as poison (a PoisonMessageError subclass) is counted as poison, as the bus dead-letters it', async (t) => {
  const { app, bus } = await build(t, { poison: true })
  await bus.publish(ClientCreated, clientCreated())
  const counted = async (outcome: string) =>
    metricValue((await app.inject('/metrics')).body, 'bus_consumer_messages_total', { consumer: DURABLE, outcome })
  await waitFor(async () => await counted('poison') !== undefined, 'the poison counted')
  t.equal(await counted('poison'), 1)
  t.equal(await counted('error'), undefined, 'not counted as an error')
})

t.test('a failing handler is logged once per delivery, by the bus, with its error', async (t) => {
  const { app, bus, logs } = await build(t, { poison: true })
  await bus.publish(ClientCreated, clientCreated())
  await waitFor(async () => /outcome="poison"/.test((await app.inject('/metrics')).body), 'the poison counted')
  const failures = logs.lines.filter((line) => Number(line.level) >= 40)
  t.equal(failures.length, 1, failures.map((line) => line.msg).join(', '))
  t.match(failures[0], { msg: 'message dead-lettered', component: 'bus', err: { message: 'no such client', stack: /UnknownClientError/ } })
})

t.test('a consumer\'s child logger carries consumer and eventId', async (t) => {
  const { app, bus, logs } = await build(t)
  const event = clientCreated()
  await bus.publish(ClientCreated, event)
  await waitFor(async () => (await app.inject(`/handled/${event.id}`)).statusCode === 200, 'the event handled')
  t.match(logs.lines.find((line) => line.msg === 'handler finished'), { consumer: DURABLE, eventId: event.id, service: 'kit-test' })
})

t.test('app.close(): an in-flight handler finishes and acks before close resolves', async (t) => {
  let started = false
  const { app, bus } = await build(t, { env: { HANDLER_DELAY_MS: '300' }, onHandlerStart: () => { started = true } })
  const event = clientCreated()
  await bus.publish(ClientCreated, event)
  await waitFor(() => started, 'the handler started')
  await app.close()
  t.same(await bus.consumerState(ClientCreated, DURABLE), { pending: 0, ackPending: 0 }, 'acked')
  await bus.ping() // an injected bus is not closed by the app
})

t.test('OpenAPI: tagged routes only, at /openapi.json; the UI at /docs', async (t) => {
  const { app } = await build(t)
  const res = await app.inject('/openapi.json')
  t.equal(res.statusCode, 200)
  const doc = res.json()
  t.equal(doc.openapi, '3.0.3')
  t.equal(doc.info.title, 'kit test')
  t.same(Object.keys(doc.paths).sort(), ['/things', '/things/{id}'])
  const docs = await app.inject('/docs')
  t.ok([200, 302].includes(docs.statusCode))
})

t.test('a service without a database says so when app.db is used', async (t) => {
  const app = Fastify({ logger: false })
  const { serviceKit } = await import('../src/index.js')
  await app.register(serviceKit, { service: 'gateway', config: loadConfig(FixtureConfig, {}), bus: false })
  t.teardown(() => app.close())
  await app.ready()
  t.throws(() => app.db, /service gateway has no database/)
  t.same((await app.inject('/readyz')).json(), { status: 'ok', checks: {} })
})

t.test('text holding U+0000 (Postgres stores none) is a 400 naming the field, before any handler; raw bodies are bytes, not text', async (t) => {
  const app = Fastify({ logger: false })
  const { serviceKit } = await import('../src/index.js')
  await app.register(serviceKit, { service: 'gateway', config: loadConfig(FixtureConfig, {}), bus: false })
  t.teardown(() => app.close())
  let handled = 0
  app.post('/things/:name', async () => { handled++; return { ok: true } })
  app.register(async (raw) => {
    raw.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body))
    raw.post('/raw', async (request) => ({ bytes: (request.body as Buffer).length }))
  })
  await app.ready()
  const cases: Array<[string, object, string]> = [
    ['/things/ok', { list: [{ label: 'a\u0000' }] }, 'body/list/0/label'],
    ['/things/ok?q=%00', {}, 'querystring/q'],
    ['/things/a%00b', {}, 'params/name']
  ]
  for (const [url, payload, field] of cases) {
    const res = await app.inject({ method: 'POST', url, payload })
    t.equal(res.statusCode, 400, url)
    t.match(res.headers['content-type'], /^application\/problem\+json/)
    t.match(res.json(), { status: 400, code: 'VALIDATION_FAILED', detail: `${field} must not contain the NUL character (U+0000)` })
  }
  t.equal(handled, 0, 'no handler ran')
  t.equal((await app.inject({ method: 'POST', url: '/things/ok', payload: { label: 'fine' } })).statusCode, 200)
  const raw = await app.inject({ method: 'POST', url: '/raw', headers: { 'content-type': 'application/json' }, payload: '{"name":"a\\u0000"}' })
  t.same(raw.json(), { bytes: 18 }, 'a raw body is passed on as its bytes')
})
