import { randomUUID } from 'node:crypto'
import t, { type Test } from 'tap'
import { request } from 'undici'
import { sql } from 'drizzle-orm'
import { encodePrincipal, PRINCIPAL_HEADER, type PsaConnection } from '@m365/api'
import { ContactsUpserted, createEvent } from '@m365/contracts'
import { createNatsBus, deleteNatsNamespace, type NatsBus } from '@m365/bus'
import { createServiceDb, openDatabase, queryRows } from '@m365/db'
import { createTestDatabase } from '@m365/db/testing'
import { buildAutotaskWebhook, sendWebhooks } from '@m365/psa-simulator'
import { ENCRYPTION_KEY, NATS_URL, build, recordEvents, simulatorConnection, startSimulator, waitFor } from '../helper.js'
import { freePort, startService } from './service-process.js'

const msp = { [PRINCIPAL_HEADER]: encodePrincipal({ role: 'msp', sub: 'ops@msp.example' }), 'content-type': 'application/json' }

async function api<T> (url: string, method: 'POST' | 'PUT', body: unknown): Promise<T> {
  const res = await request(url, { method, headers: msp, body: JSON.stringify(body) })
  const text = await res.body.text()
  if (res.statusCode >= 300) throw new Error(`${method} ${url} answered ${res.statusCode}: ${text}`)
  return JSON.parse(text) as T
}

async function namespaceBus (t: Test, namespace: string): Promise<NatsBus> {
  const bus = await createNatsBus({ url: NATS_URL, namespace })
  t.teardown(async () => {
    await bus.close()
    await deleteNatsNamespace({ url: NATS_URL, namespace })
  })
  return bus
}

t.test('killed after the commit and before the publish, the restarted service still delivers the event, once', async (t) => {
  const sim = await startSimulator(t)
  const db = await createTestDatabase(t)
  const namespace = `ci_crash_${randomUUID().slice(0, 8)}`
  const bus = await namespaceBus(t, namespace)
  const events = await recordEvents(t, bus)
  const port = await freePort()
  const env = { DATABASE_URL: db.url, NATS_URL, BUS_NAMESPACE: namespace, ENCRYPTION_KEY, DELIVERY_POLL_MS: '50', OUTBOX_POLL_MS: '50' }

  const first = await startService(t, { ...env, OUTBOX_PUBLISH_DELAY_MS: '600000', OUTBOX_LEASE_MS: '1000' }, port)
  const company = sim.admin.createCompany({ name: 'Crashco' })
  const contact = sim.admin.createContact({ companyId: company.id, firstName: 'Cid', lastName: 'Crash', emails: ['cid@crash.example'] })
  const secret = 'at-crash-secret'
  const conn = await api<PsaConnection>(`${first.url}/v1/psa-connections`, 'POST', simulatorConnection(sim, 'autotask', { webhookSecret: secret }))
  await api(`${first.url}/v1/psa-connections/${conn.id}/companies`, 'PUT', { companies: [{ companyExternalId: String(company.id), clientId: randomUUID() }] })
  const sent = await sendWebhooks({
    psa: 'autotask',
    secret,
    targetUrl: `${first.url}/webhooks/autotask/${conn.id}`,
    retries: { attempts: 1 },
    events: [buildAutotaskWebhook(contact, { action: 'Create', guid: randomUUID(), sequenceNumber: 1 })]
  })
  t.equal(sent.delivered, 1)

  // the deterministic point: the change and its outbox row are committed, the publisher holds them unsent
  await waitFor(() => first.lines.some((l) => l.msg === 'outbox publish delayed (OUTBOX_PUBLISH_DELAY_MS)'), 'the publisher to hold the event')
  const handle = await openDatabase({ url: db.url })
  t.teardown(() => handle.close())
  const ours = createServiceDb(handle, { schema: 'contacts_ingest' }).db
  const [row] = await queryRows<{ id: string, sent_at: Date | null }>(ours, sql`select id, sent_at from contacts_ingest.outbox`)
  t.ok(row, 'the event is in the outbox')
  t.equal(row?.sent_at, null, 'not sent')
  await first.kill('SIGKILL')
  t.equal(await bus.storedCount(ContactsUpserted), 0, 'nothing reached NATS before the kill')

  const second = await startService(t, env, port)
  await waitFor(() => events.upserted.length === 1, 'the event on NATS after the restart')
  t.equal(events.upserted[0]?.id, row?.id, 'the very event that was committed')
  t.match(events.upserted[0]?.data, { revision: 1, contact: { externalId: String(contact.id), firstName: 'Cid' } })
  await waitFor(async () => (await queryRows<{ n: number }>(ours, sql`select count(*)::int as n from contacts_ingest.outbox where sent_at is null`))[0]?.n === 0, 'marked sent')
  t.equal(await bus.storedCount(ContactsUpserted), 1, 'stored on NATS once')
  await second.kill('SIGTERM')
  t.equal(events.upserted.length, 1, 'delivered once')
})

t.test('killed after the publish and before marking it sent, the event is published again and NATS drops the repeat', async (t) => {
  const namespace = `ci_dup_${randomUUID().slice(0, 8)}`
  const bus = await namespaceBus(t, namespace)
  const h = await build(t, { bus, env: { OUTBOX_POLL_MS: '60000' } })
  // what a process that died right after bus.publish leaves behind: the row unsent, the message on NATS
  const event = createEvent(ContactsUpserted, {
    clientId: randomUUID(),
    revision: 1,
    contact: {
      psa: 'autotask',
      connectionId: randomUUID(),
      externalId: '1',
      companyExternalId: '2',
      firstName: 'A',
      lastName: 'B',
      emails: [],
      phone: null,
      title: null,
      companyName: null,
      active: true,
      updatedAt: null
    }
  })
  await h.app.db.execute(sql`insert into contacts_ingest.outbox (id, subject, payload) values (${event.id}, ${event.subject}, ${JSON.stringify(event)}::jsonb)`)
  await bus.publish(ContactsUpserted, event, { msgId: event.id })
  h.app.outbox.wake()
  await waitFor(async () => (await h.query<{ n: number }>(sql`select count(*)::int as n from contacts_ingest.outbox where sent_at is null`))[0]?.n === 0, 'published again and marked')
  t.equal(await bus.storedCount(ContactsUpserted), 1, 'JetStream kept one copy (same Nats-Msg-Id)')
  await waitFor(() => h.events.upserted.length === 1, 'consumer got it')
  t.equal(h.events.upserted.length, 1)
})
