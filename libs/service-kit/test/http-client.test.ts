import t, { type Test } from 'tap'
import { Type } from '@sinclair/typebox'
import Fastify, { type FastifyInstance } from 'fastify'
import { createServiceClient, loadConfig, BaseConfig, serviceKit, UpstreamError } from '../src/index.js'

async function kitApp (t: Test, service: string): Promise<FastifyInstance> {
  const app = Fastify({ logger: false })
  await app.register(serviceKit, { service, config: loadConfig(BaseConfig, {}), bus: false })
  t.teardown(() => app.close())
  return app
}

async function upstream (t: Test): Promise<string> {
  const app = await kitApp(t, 'upstream')
  app.post('/echo', { schema: { body: Type.Object({ name: Type.String({ minLength: 1 }) }) } }, async (request) => ({
    body: request.body, query: request.query, principal: request.headers['x-m365-principal']
  }))
  app.get('/things/:id', async (request, reply) => reply.notFound(`thing ${(request.params as { id: string }).id} does not exist`))
  app.get('/boom', async () => { throw new Error('upstream internals') })
  app.delete('/things/:id', async (_request, reply) => reply.code(204).send())
  return await app.listen({ host: '127.0.0.1', port: 0 })
}

t.test('JSON in and out, query and headers forwarded', async (t) => {
  const client = createServiceClient(await upstream(t), { service: 'upstream' })
  t.teardown(() => client.close())
  const answer = await client.request({
    method: 'POST', path: '/echo', query: { limit: 2, cursor: undefined }, body: { name: 'x' }, headers: { 'x-m365-principal': 'p' }
  })
  t.same(answer, { body: { name: 'x' }, query: { limit: '2' }, principal: 'p' })
  t.equal(await client.request({ method: 'DELETE', path: '/things/1' }), undefined, '204: undefined')
})

t.test('a 4xx problem is thrown as UpstreamError and relayed as it was', async (t) => {
  const client = createServiceClient(await upstream(t), { service: 'upstream' })
  t.teardown(() => client.close())
  const err = await client.request({ path: '/things/9' }).catch((err: unknown) => err)
  t.type(err, UpstreamError)
  t.match(err, { statusCode: 404, problem: { code: 'NOT_FOUND', detail: 'thing 9 does not exist' }, upstream: { service: 'upstream', status: 404 } })

  const gateway = await kitApp(t, 'gateway')
  gateway.get('/v1/things/:id', async (request) => client.request({ path: `/things/${(request.params as { id: string }).id}` }))
  gateway.post('/v1/echo', async (request) => client.request({ method: 'POST', path: '/echo', body: request.body }))
  const res = await gateway.inject('/v1/things/9')
  t.equal(res.statusCode, 404)
  t.match(res.headers['content-type'], /^application\/problem\+json/)
  t.same(res.json(), {
    type: 'about:blank', title: 'Not Found', status: 404, detail: 'thing 9 does not exist', instance: '/v1/things/9', code: 'NOT_FOUND'
  })
  const invalid = await gateway.inject({ method: 'POST', url: '/v1/echo', payload: { name: '' } })
  t.equal(invalid.statusCode, 400)
  t.match(invalid.json(), { code: 'VALIDATION_FAILED', detail: 'body/name must NOT have fewer than 1 characters' })
})

t.test('upstream 5xx becomes 502, unreachable 503; no internals leak', async (t) => {
  const client = createServiceClient(await upstream(t), { service: 'upstream' })
  const dead = createServiceClient('http://127.0.0.1:1', { service: 'dead' })
  t.teardown(() => Promise.all([client.close(), dead.close()]))
  const gateway = await kitApp(t, 'gateway')
  gateway.get('/boom', async () => client.request({ path: '/boom' }))
  gateway.get('/dead', async () => dead.request({ path: '/anything' }))
  const boom = await gateway.inject('/boom')
  t.equal(boom.statusCode, 502)
  t.match(boom.json(), { status: 502, title: 'Bad Gateway', detail: /^see logs, request / })
  t.notMatch(boom.body, /internals/)
  const unreachable = await gateway.inject('/dead')
  t.equal(unreachable.statusCode, 503)
  t.match(unreachable.json(), { status: 503, detail: /^see logs, request / })
})

t.test('a request queued behind busy connections gets a 504 at its deadline, not a wait for ever', async (t) => {
  const app = await kitApp(t, 'upstream')
  const open: Array<() => void> = []
  app.get('/export', async (_request, reply) => {
    reply.raw.writeHead(200, { 'content-type': 'text/csv' })
    reply.raw.write('a,b\n')
    open.push(() => reply.raw.end())
    return reply // the body stays open, as a long export's does while its reader does not drain it
  })
  app.get('/quick', async () => ({ ok: true }))
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(() => { for (const end of open) end() })
  const client = createServiceClient(url, { service: 'upstream', connections: 1, timeoutMs: 300 })
  t.teardown(() => client.close())

  // holds the only connection: its body is never read, and stays quiet for less than its own (longer) timeout
  const busy = await client.raw({ path: '/export', timeoutMs: 10_000 })
  t.teardown(() => busy.body.destroy())
  const err = await client.request({ path: '/quick' }).catch((error: unknown) => error)
  t.type(err, UpstreamError)
  t.match(err, { statusCode: 504, problem: { detail: /upstream timed out/ }, upstream: { service: 'upstream', path: '/quick' } })
})

t.test('a call its caller calls off fails with the caller\'s reason, not as the service\'s 503, and the service sees the hang-up', async (t) => {
  const app = await kitApp(t, 'upstream')
  let hungUp: () => void = () => {}
  const hangUp = new Promise<void>((resolve) => { hungUp = resolve })
  let arrived: () => void = () => {}
  const arrival = new Promise<void>((resolve) => { arrived = resolve })
  app.get('/slow', async (_request, reply) => {
    reply.raw.on('close', hungUp)
    arrived()
    return await hangUp.then(() => reply) // answers nothing until the caller has gone
  })
  const client = createServiceClient(await app.listen({ host: '127.0.0.1', port: 0 }), { service: 'upstream', timeoutMs: 600_000 })
  t.teardown(() => client.close())
  const caller = new AbortController()
  const reason = new Error('the caller went away')
  const call = client.request({ path: '/slow', signal: caller.signal }).catch((error: unknown) => error)
  await arrival
  caller.abort(reason)
  t.equal(await call, reason)
  await hangUp
  t.pass('the service saw the connection close')
})
