import t from 'tap'
import { eq, sql } from 'drizzle-orm'
import { TokenRequest } from '@m365/contracts'
import { createKeyRing } from '@m365/service-kit'
import { tokenCache } from '../../src/db/schema.js'
import { partitionKey } from '../../src/identity/confidential-clients.js'
import { build, connectTenant, ENCRYPTION_KEY, inProcessBus, seedClient, startSimulator } from '../helper.js'

t.test('two tenant-auth instances on one database share one token cache', async (t) => {
  const simulator = await startSimulator(t)
  // one database, two apps, each with its own bus so each can be asked directly
  const a = await build(t, simulator, { bus: inProcessBus(t) })
  const b = await build(t, simulator, { bus: inProcessBus(t), databaseUrl: a.databaseUrl })
  const clientId = await seedClient(a.app)
  const { tenantId } = simulator.sim.admin.createTenant({ displayName: 'Shared Co', userCount: 1 })
  t.equal((await connectTenant(a, simulator, clientId, tenantId)).statusCode, 200)
  const issued = () => simulator.sim.admin.stats(tenantId).tokensIssued
  t.equal(issued(), 1, 'confirming the consent fetched one token, now in the shared cache')

  const tokens = new Set<string>()
  for (let i = 0; i < 3; i++) {
    for (const instance of [a, b]) {
      const reply = await instance.bus.request(TokenRequest, { tenantId })
      if (!reply.ok) throw new Error(reply.message)
      tokens.add(reply.accessToken)
    }
  }
  t.equal(tokens.size, 1, 'both instances hand out the same token')
  t.equal(issued(), 1, 'tokens issued once')

  const [row] = await a.app.db.select().from(tokenCache).where(eq(tokenCache.tenantId, tenantId))
  t.ok(row)
  t.notMatch(JSON.stringify(row), [...tokens][0]!, 'the cached token is encrypted at rest')
  const cache = JSON.parse(createKeyRing(ENCRYPTION_KEY).open(row!, `token-cache:${partitionKey(simulator.msp.clientId, tenantId)}`))
  t.equal(Object.keys(cache.AccessToken).length, 1)
})

t.test('racing instances never corrupt the cache: afterwards it parses and serves both', async (t) => {
  const simulator = await startSimulator(t)
  const a = await build(t, simulator, { bus: inProcessBus(t) })
  const b = await build(t, simulator, { bus: inProcessBus(t), databaseUrl: a.databaseUrl })
  const clientId = await seedClient(a.app)
  const { tenantId } = simulator.sim.admin.createTenant({ displayName: 'Race Co', userCount: 1 })
  await connectTenant(a, simulator, clientId, tenantId)
  await a.app.db.delete(tokenCache).where(sql`true`) // nothing cached: both must go to the network at once
  const before = simulator.sim.admin.stats(tenantId).tokensIssued

  const replies = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).bus.request(TokenRequest, { tenantId })))
  t.ok(replies.every((r) => r.ok), 'every request answered with a token')
  const raced = simulator.sim.admin.stats(tenantId).tokensIssued - before
  t.ok(raced >= 1 && raced <= 2, `at most one network token per instance (${raced})`)

  const rows = await a.app.db.select().from(tokenCache)
  t.equal(rows.length, 1)
  const cache = JSON.parse(createKeyRing(ENCRYPTION_KEY).open(rows[0]!, `token-cache:${partitionKey(simulator.msp.clientId, tenantId)}`))
  t.equal(Object.keys(cache.AccessToken).length, 1, 'one entry per key, whoever won')
  const settled = simulator.sim.admin.stats(tenantId).tokensIssued
  await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? a : b).bus.request(TokenRequest, { tenantId })))
  t.equal(simulator.sim.admin.stats(tenantId).tokensIssued, settled, 'afterwards both serve from the cache')
})
