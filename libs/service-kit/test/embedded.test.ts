import t from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { ClientCreated, createEvent } from '@m365/contracts'
import { createInProcessBus } from '@m365/bus'
import { createTestDataDir, createTestPglite } from '@m365/db/testing'
import { DEFAULT_STARTUP_TIMEOUT_MS, loadConfig } from '../src/index.js'
import fixtureApp, { FixtureConfig } from './fixtures/app.js'
import { waitFor } from './helper.js'

t.test('no DATABASE_URL: PGlite in DATA_DIR, opened, migrated and closed by the app', async (t) => {
  const dataDir = await createTestDataDir(t)
  const app = Fastify({ logger: false, pluginTimeout: DEFAULT_STARTUP_TIMEOUT_MS })
  const bus = createInProcessBus()
  await app.register(fp(fixtureApp), { config: loadConfig(FixtureConfig, { DATA_DIR: dataDir }), bus })
  t.teardown(() => bus.close())
  t.same((await app.inject('/readyz')).json(), { status: 'ok', checks: { db: 'ok', bus: 'ok' } })
  const event = createEvent(ClientCreated, { clientId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d', name: 'Tailspin', createdAt: new Date().toISOString() })
  await bus.publish(ClientCreated, event)
  await waitFor(async () => (await app.inject(`/handled/${event.id}`)).statusCode === 200, 'the event stored in PGlite')
  await app.close()

  // closed means the directory can be opened again, with the data in it
  const again = Fastify({ logger: false, pluginTimeout: DEFAULT_STARTUP_TIMEOUT_MS })
  await again.register(fp(fixtureApp), { config: loadConfig(FixtureConfig, { DATA_DIR: dataDir }), bus })
  t.teardown(() => again.close())
  t.equal((await again.inject(`/handled/${event.id}`)).statusCode, 200)
})

t.test('single process: two apps on one injected PGlite and one bus', async (t) => {
  const { handle } = await createTestPglite(t)
  const bus = createInProcessBus()
  t.teardown(() => bus.close())
  const apps: FastifyInstance[] = []
  for (let i = 0; i < 2; i++) {
    const app = Fastify({ logger: false, pluginTimeout: DEFAULT_STARTUP_TIMEOUT_MS })
    await app.register(fp(fixtureApp), { config: loadConfig(FixtureConfig, {}), db: handle, bus })
    apps.push(app)
  }
  for (const app of apps) t.equal((await app.inject('/readyz')).statusCode, 200)
  await apps[0]!.close()
  t.equal((await apps[1]!.inject('/readyz')).statusCode, 200, 'closing one app leaves the shared handle and bus open')
  await apps[1]!.close()
  await handle.ping()
})
