import t from 'tap'
import { ServerError } from '@azure/msal-node'
import { DEMO_APP } from '@m365/m365-simulator'
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
