import t from 'tap'
import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import {
  ClientCreated, ContactsUpserted, createEvent, O365SkusReplaced, O365UsersUpserted, SyncCompleted, TenantConnected, type EventOf
} from '@m365/contracts'
import { createNatsBus, deleteNatsNamespace } from '@m365/bus'
import { queryRows } from '@m365/db'
import { build, MSP, waitFor } from '../helper.js'
import { contact, E3, sku, syncEvents, user } from '../fixtures.js'

const url = process.env.NATS_URL || 'nats://127.0.0.1:4222'

t.test('consumers over NATS JetStream: events feed the read model, out of order and redelivered', async (t) => {
  const namespace = `report_${randomUUID().slice(0, 8)}`
  const bus = await createNatsBus({ url, namespace })
  t.teardown(async () => {
    await bus.close()
    await deleteNatsNamespace({ url, namespace })
  })
  const { app } = await build(t, { bus })

  const created: Array<EventOf<typeof ClientCreated>> = []
  await bus.consume(ClientCreated, { durable: 'test-client-created' }, async (event) => { created.push(event) })
  const clientId = (await app.inject({ method: 'POST', url: '/v1/clients', headers: MSP, payload: { name: 'Contoso' } })).json().id
  await waitFor(() => created.find((event) => event.data.clientId === clientId), 'ClientCreated on NATS')

  const tenantId = randomUUID()
  await bus.publish(TenantConnected, createEvent(TenantConnected, { clientId, tenantId, displayName: 'Contoso', connectedAt: new Date().toISOString() }))
  const users = [user({ displayName: 'Ann', mail: 'ann@contoso.com', licenses: [E3] }), user({ displayName: 'Bob' }), user({ displayName: 'Cat' })]
  const sync = syncEvents({ tenantId, clientId, users, skus: [sku(E3, 3, 1)], batchSize: 1 })
  // the completion first: it must wait for the batches
  await bus.publish(SyncCompleted, sync.completed)
  await bus.publish(O365SkusReplaced, sync.skus)
  for (const batch of sync.upserted.reverse()) await bus.publish(O365UsersUpserted, batch)
  // the same batch again under another message id (JetStream's dedupe would drop a repeat of the same one)
  await bus.publish(O365UsersUpserted, sync.upserted[0]!, { msgId: randomUUID() })

  const page = await waitFor(async () => {
    const res = (await app.inject({ url: `/v1/clients/${clientId}/office365/users`, headers: MSP })).json()
    return res.items.length === 3 ? res : undefined
  }, 'the synced users')
  t.same(page.items.map((u: { displayName: string }) => u.displayName), ['Ann', 'Bob', 'Cat'])
  const licenses = (await app.inject({ url: `/v1/clients/${clientId}/office365/licenses`, headers: MSP })).json()
  t.match(licenses.items, [{ skuPartNumber: 'ENTERPRISEPACK', total: 3, assigned: 1 }])

  const upsert = createEvent(ContactsUpserted, { clientId, revision: 1, contact: contact({ email: 'ann@contoso.com' }) })
  await bus.publish(ContactsUpserted, upsert)
  await bus.publish(ContactsUpserted, upsert, { msgId: randomUUID() })
  await waitFor(async () => (await app.inject({ url: `/v1/clients/${clientId}`, headers: MSP })).json().psaCompanies.length === 1, 'the contact')
  t.same(await queryRows(app.db, sql`select count(*)::int as n from report.contacts`), [{ n: 1 }])
  await waitFor(async () => (await bus.consumerState(ContactsUpserted, 'report-contacts-upserted'))?.pending === 0, 'both deliveries handled')
  t.same(await queryRows(app.db, sql`select count(*)::int as n from report.processed_events where event_id = ${upsert.id}`), [{ n: 1 }])
})

t.test('an invalid event is dead-lettered, the consumer goes on', async (t) => {
  const namespace = `report_${randomUUID().slice(0, 8)}`
  const bus = await createNatsBus({ url, namespace })
  t.teardown(async () => {
    await bus.close()
    await deleteNatsNamespace({ url, namespace })
  })
  const { app } = await build(t, { bus })
  const js = bus.connection.jetstream()
  await js.publish(bus.naming.subject(O365UsersUpserted.subject), JSON.stringify({ id: 'bad-1', subject: O365UsersUpserted.subject, data: { users: 'no' } }))
  const [letter] = await waitFor(async () => {
    const letters = await bus.deadLetters(O365UsersUpserted.subject)
    return letters.length > 0 ? letters : undefined
  }, 'the dead letter')
  t.match(letter, { subject: O365UsersUpserted.subject, durable: 'report-o365-users-upserted' })
  t.match(letter?.payload, /"bad-1"/)
  const clientId = randomUUID()
  const sync = syncEvents({ tenantId: randomUUID(), clientId, users: [user({ displayName: 'After' })] })
  await bus.publish(O365SkusReplaced, sync.skus)
  for (const event of sync.upserted) await bus.publish(O365UsersUpserted, event)
  await bus.publish(SyncCompleted, sync.completed)
  await waitFor(async () => (await queryRows(app.db, sql`select 1 from report.o365_users where display_name = 'After'`)).length === 1,
    'the next valid event handled')
})
