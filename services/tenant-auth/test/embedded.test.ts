import t from 'tap'
import Fastify from 'fastify'
import fp from 'fastify-plugin'
import { TenantConnected, TokenRequest } from '@m365/contracts'
import { createTestPglite } from '@m365/db/testing'
import { DEFAULT_STARTUP_TIMEOUT_MS, loadConfig } from '@m365/service-kit'
import tenantAuthApp, { TenantAuthConfig } from '../src/index.js'
import { callback, consent, ENCRYPTION_KEY, inProcessBus, PUBLIC_BASE_URL, seedClient, startConnect, startSimulator, waitFor } from './helper.js'

t.test('single-process mode: an injected PGlite and in-process bus carry the whole flow', async (t) => {
  const simulator = await startSimulator(t)
  const { handle } = await createTestPglite(t)
  const bus = inProcessBus(t)
  const config = loadConfig(TenantAuthConfig, {
    ENCRYPTION_KEY,
    AUTHORITY_HOST: simulator.sim.url,
    GRAPH_BASE_URL: simulator.sim.url,
    GRAPH_CA_PEM: simulator.sim.caPem,
    AZURE_CLIENT_ID: simulator.msp.clientId,
    AZURE_CLIENT_SECRET: simulator.msp.clientSecret,
    PUBLIC_BASE_URL,
    OUTBOX_POLL_MS: '50'
  })
  const app = Fastify({ logger: false, pluginTimeout: DEFAULT_STARTUP_TIMEOUT_MS })
  await app.register(fp(tenantAuthApp), { config, db: handle, bus })
  t.teardown(() => app.close())
  await app.ready()

  const clientId = await seedClient(app)
  const { tenantId } = simulator.sim.admin.createTenant({ displayName: 'Embedded Co', userCount: 1 })
  const started = (await startConnect(app, clientId)).json()
  t.equal((await callback(app, await consent(simulator, started.consentUrl, tenantId))).statusCode, 200)
  t.equal((await bus.request(TokenRequest, { tenantId })).ok, true)
  await waitFor(async () => (await bus.storedCount(TenantConnected)) === 1, 'TenantConnected on the in-process bus')

  const openapi = (await app.inject('/openapi.json')).json()
  t.ok(openapi.paths['/v1/clients/{clientId}/tenants/connect'].post, 'documented from the route schemas')
  t.ok(openapi.paths['/v1/connect/callback'].get)
  t.ok(openapi.paths['/v1/clients/{clientId}/tenants/{tenantId}/credentials'].put)
  t.notOk(openapi.paths['/healthz'], 'untagged routes stay out')
  t.same((await app.inject('/readyz')).json(), { status: 'ok', checks: { db: 'ok', bus: 'ok' } })
})
