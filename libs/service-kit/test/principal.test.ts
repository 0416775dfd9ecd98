import t from 'tap'
import Fastify from 'fastify'
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { encodePrincipal, PRINCIPAL_HEADER, type Principal } from '@m365/api'
import { useProblemHandlers } from '../src/index.js'
import { assertCanReadClient, assertMsp, clientScope, principalHook, type PrincipalOptions } from '../src/principal.js'

const A = '0a2b4c6d-8e0f-4a1b-9c2d-3e4f5a6b7c8d'
const B = '1b3c5d7e-9f10-4b2c-8d3e-4f5a6b7c8d9e'
const msp = { [PRINCIPAL_HEADER]: encodePrincipal({ role: 'msp', sub: 'staff' }) }
const client = (clientId: string) => ({ [PRINCIPAL_HEADER]: encodePrincipal({ role: 'client', sub: 'portal', clientId }) })

/** /v1 guarded by the hook (with `options`), /healthz beside it unguarded. */
async function build (options: PrincipalOptions = {}) {
  const app = Fastify({ logger: false }).withTypeProvider<TypeBoxTypeProvider>()
  useProblemHandlers(app)
  app.get('/healthz', async () => ({ ok: true }))
  await app.register(async (v1) => {
    await v1.register(principalHook, options)
    v1.get('/clients/:clientId', async (request) => {
      assertCanReadClient(request, (request.params as { clientId: string }).clientId)
      return { principal: request.principal, scope: clientScope(request.principal) ?? null }
    })
    v1.withTypeProvider<TypeBoxTypeProvider>().post('/clients/:clientId', { schema: { body: Type.Object({ name: Type.String({ minLength: 1 }) }) } }, async (request) => {
      assertMsp(request)
      return { written: request.body.name }
    })
  }, { prefix: '/v1' })
  await app.ready()
  return app
}

t.test('the principal the gateway forwards is request.principal; without one (or a forged one) 401', async (t) => {
  const app = await build()
  const res = await app.inject({ url: `/v1/clients/${A}`, headers: client(A) })
  t.equal(res.statusCode, 200)
  t.same(res.json(), { principal: { role: 'client', sub: 'portal', clientId: A } satisfies Principal, scope: A })
  t.same((await app.inject({ url: `/v1/clients/${A}`, headers: msp })).json().scope, null, 'MSP staff: every client')
  for (const headers of [{}, { [PRINCIPAL_HEADER]: 'garbage' }, { [PRINCIPAL_HEADER]: Buffer.from('{"role":"admin","sub":"x"}').toString('base64url') }]) {
    const denied = await app.inject({ url: `/v1/clients/${A}`, headers })
    t.equal(denied.statusCode, 401)
    t.match(denied.json(), { code: 'PRINCIPAL_MISSING' })
  }
  t.equal((await app.inject('/healthz')).statusCode, 200, 'routes outside the plugin need none')
})

t.test('a client principal may read; any write is 403 before its body is validated', async (t) => {
  const app = await build()
  t.equal((await app.inject({ url: `/v1/clients/${B}`, headers: client(A) })).statusCode, 404, "another client's id is unknown")
  for (const payload of [{ name: 'x' }, { name: '' }]) {
    const res = await app.inject({ method: 'POST', url: `/v1/clients/${A}`, headers: client(A), payload })
    t.equal(res.statusCode, 403)
    t.match(res.json(), { code: 'CLIENT_PRINCIPAL_READ_ONLY' })
  }
  t.equal((await app.inject({ method: 'POST', url: `/v1/clients/${B}`, headers: client(A), payload: { name: 'x' } })).statusCode, 403, 'whatever it names')
  t.same((await app.inject({ method: 'POST', url: `/v1/clients/${A}`, headers: msp, payload: { name: 'x' } })).json(), { written: 'x' })
  t.equal((await app.inject({ method: 'POST', url: `/v1/clients/${A}`, headers: msp, payload: { name: '' } })).statusCode, 400)
})

t.test('clientParam: naming another client is 404 on any method, before the 403 of a write', async (t) => {
  const app = await build({ clientParam: 'clientId' })
  t.equal((await app.inject({ url: `/v1/clients/${B}`, headers: client(A) })).statusCode, 404)
  const write = await app.inject({ method: 'POST', url: `/v1/clients/${B}`, headers: client(A), payload: { name: 'x' } })
  t.equal(write.statusCode, 404)
  t.match(write.json(), { detail: `client ${B} does not exist` })
  t.equal((await app.inject({ method: 'POST', url: `/v1/clients/${A}`, headers: client(A), payload: { name: 'x' } })).statusCode, 403)
})

t.test("clients: 'none' makes the routes MSP staff's alone", async (t) => {
  const app = await build({ clients: 'none' })
  const res = await app.inject({ url: `/v1/clients/${A}`, headers: client(A) })
  t.equal(res.statusCode, 403)
  t.match(res.json(), { code: 'MSP_ONLY' })
  t.equal((await app.inject({ url: `/v1/clients/${A}`, headers: msp })).statusCode, 200)
})
