import { createHmac, randomUUID } from 'node:crypto'
import Fastify from 'fastify'
import fp from 'fastify-plugin'
import t from 'tap'
import { sql } from 'drizzle-orm'
import { createInProcessBus } from '@m365/bus'
import { queryRows } from '@m365/db'
import { createTestPglite } from '@m365/db/testing'
import { buildAutotaskWebhook } from '@m365/psa-simulator'
import { DEFAULT_STARTUP_TIMEOUT_MS, loadConfig } from '@m365/service-kit'
import contactsIngestApp, { ContactsIngestConfig } from '../src/index.js'
import { createConnection, headersFor, putMapping, recordEvents, simulatorConnection, startSimulator, testEnv, waitFor } from './helper.js'

t.test('runs embedded on PGlite with the in-process bus (the single-process mode)', async (t) => {
  const sim = await startSimulator(t)
  const { handle } = await createTestPglite(t)
  const bus = createInProcessBus()
  t.teardown(() => bus.close())
  const env = testEnv('postgres://unused', {})
  delete env.DATABASE_URL
  const config = loadConfig(ContactsIngestConfig, { ...env, LOG_LEVEL: 'silent' })
  const app = Fastify({ logger: false, pluginTimeout: DEFAULT_STARTUP_TIMEOUT_MS })
  await app.register(fp(contactsIngestApp), { config, db: handle, bus })
  await app.ready()
  t.teardown(() => app.close())
  const events = await recordEvents(t, bus)

  const { companies: [company] } = sim.admin.generate({ seed: 4, companies: 1, contacts: 20 })
  const secret = 'at-embedded-secret'
  const conn = await createConnection(app, simulatorConnection(sim, 'autotask', { webhookSecret: secret }))
  await putMapping(app, conn.id, [{ companyExternalId: String(company!.id), clientId: randomUUID() }])
  const run = await app.inject({ method: 'POST', url: `/v1/psa-connections/${conn.id}/backfill`, headers: headersFor() })
  await waitFor(async () => (await app.inject({ url: `/v1/psa-connections/${conn.id}/backfills/${run.json().id}`, headers: headersFor() })).json().status === 'completed', 'backfill')
  await waitFor(() => events.upserted.length === 20, 'twenty events')

  const contact = sim.admin.updateContact(sim.admin.listContacts()[0]!.id, { title: 'Embedded' })
  const body = JSON.stringify(buildAutotaskWebhook(contact, { action: 'Update', guid: randomUUID(), sequenceNumber: 1 }))
  const res = await app.inject({
    method: 'POST',
    url: `/webhooks/autotask/${conn.id}`,
    payload: body,
    headers: { 'content-type': 'application/json', 'x-hook-signature': `sha1=${createHmac('sha1', secret).update(body).digest('base64')}` }
  })
  t.equal(res.statusCode, 202)
  await waitFor(() => events.upserted.some((e) => e.data.contact.title === 'Embedded'), 'the change published')
  const [stored] = await queryRows<{ body: Buffer }>(app.db, sql`select body from contacts_ingest.webhook_deliveries`)
  t.equal(Buffer.from(stored!.body).toString(), body, 'raw body kept byte for byte')
})
