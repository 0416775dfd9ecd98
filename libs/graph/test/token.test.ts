import t, { type Test } from 'tap'
import { ServerError } from '@azure/msal-node'
import { DEMO_APP, type M365Simulator } from '@m365/m365-simulator'
import { createGraphClient, GraphRequestError } from '@m365/graph'
import { GRAPH_SCOPE, simulatorCca, simulatorClient, simulatorTransport, startSimulator } from './helper.js'

const sim = await startSimulator(t)
const [tenant] = sim.admin.demoTenants()
if (!tenant) throw new Error('the demo fixture has no tenants')

t.test('msal-node gets an app-only token over our network client (discovery GET + token POST)', async (t) => {
  const transport = simulatorTransport(t, sim)
  const cca = simulatorCca(sim, transport, tenant.tenantId)
  const first = await cca.acquireTokenByClientCredential({ scopes: [GRAPH_SCOPE] })
  t.ok(first?.accessToken, 'a token')
  t.equal(first?.fromCache, false)
  const again = await cca.acquireTokenByClientCredential({ scopes: [GRAPH_SCOPE] })
  t.equal(again?.fromCache, true, 'msal caches it')
  t.equal(sim.admin.stats(tenant.tenantId).tokensByClient[DEMO_APP.clientId], 1, 'one token request reached the simulator')
})

t.test('token endpoint errors reach msal as ServerError with the AADSTS number', async (t) => {
  const transport = simulatorTransport(t, sim)
  const cca = simulatorCca(sim, transport, tenant.tenantId, 'wrong-secret')
  const err = await cca.acquireTokenByClientCredential({ scopes: [GRAPH_SCOPE] }).catch((e: unknown) => e)
  t.type(err, ServerError)
  t.equal((err as ServerError).errorCode, 'invalid_client')
  t.equal(String((err as ServerError).errorNo), '7000215')
})

t.test('a Graph call with that token', async (t) => {
  const client = simulatorClient(t, sim, tenant.tenantId)
  const org = await client.get<{ value: Array<{ id: string }> }>('/organization')
  t.equal(org.value[0]?.id, tenant.tenantId)
})

/**
 * A client on a simulator of its own (the test moves its clock), with msal-node's tokens: `refresh`
 * makes the next token request skip msal's cache. Records every token used and every one refused.
 */
async function clockedClient (t: Test, opts: { forgetRejected: boolean, hook?: boolean }) {
  const own: M365Simulator = await startSimulator(t)
  const [demo] = own.admin.demoTenants()
  if (!demo) throw new Error('the demo fixture has no tenants')
  const transport = simulatorTransport(t, own)
  const cca = simulatorCca(own, transport, demo.tenantId)
  let refresh = false
  const used: string[] = []
  const rejected: string[] = []
  const client = createGraphClient({
    baseUrl: own.url,
    transport,
    getAccessToken: async () => {
      const result = await cca.acquireTokenByClientCredential({ scopes: [GRAPH_SCOPE], skipCache: refresh })
      if (!result) throw new Error('msal returned no token')
      refresh = false
      used.push(result.accessToken)
      return result.accessToken
    },
    ...(opts.hook !== false && {
      tokenRejected: (token: string) => {
        rejected.push(token)
        if (opts.forgetRejected) refresh = true
      }
    })
  })
  return { own, tenantId: demo.tenantId, client, used, rejected }
}

t.test('a 401 (the token expired early) drops the token and sends that request once more with a fresh one', async (t) => {
  const { own, tenantId, client, used, rejected } = await clockedClient(t, { forgetRejected: true })
  await client.get('/organization')
  // msal keeps its token an hour by this machine's clock; by Graph's clock it has expired now
  own.admin.advanceClock(3600)
  const org = await client.get<{ value: Array<{ id: string }> }>('/organization')
  t.equal(org.value[0]?.id, tenantId, 'the call succeeds')
  t.equal(used.length, 3, 'the cached token, then one fresh token')
  t.equal(used[1], used[0], 'the refused token was the cached one')
  t.not(used[2], used[1], 'the retry carried a fresh token')
  t.same(rejected, [used[0]], 'the refused token was reported once')
  t.equal((await client.get<{ value: unknown[] }>('/organization')).value.length, 1, 'later calls use the fresh token')
  t.equal(used.length, 4)
})

t.test('a second 401 (after the retry) fails the call: the request is sent again once, not more', async (t) => {
  const { own, client, used, rejected } = await clockedClient(t, { forgetRejected: false })
  await client.get('/organization')
  own.admin.advanceClock(3600)
  const err = await client.get('/organization').catch((e: unknown) => e)
  t.type(err, GraphRequestError)
  t.match(err, { status: 401, code: 'InvalidAuthenticationToken' })
  t.equal(used.length, 3, 'sent twice, not more')
  t.same(rejected, [used[1]])
})

t.test('without tokenRejected a 401 fails the call at once', async (t) => {
  const { own, client, used } = await clockedClient(t, { forgetRejected: false, hook: false })
  await client.get('/organization')
  own.admin.advanceClock(3600)
  await t.rejects(client.get('/organization'), { status: 401, code: 'InvalidAuthenticationToken' })
  t.equal(used.length, 2)
})
