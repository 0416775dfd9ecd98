import { randomUUID } from 'node:crypto'
import t from 'tap'
import { eq, isNull, sql } from 'drizzle-orm'
import { TenantConnected } from '@m365/contracts'
import { createServiceDb, openDatabase, type AnyDb } from '@m365/db'
import { enqueue } from '@m365/service-kit/outbox'
import { migrationsFolder } from '../../src/app.js'
import { outbox } from '../../src/db/schema.js'
import { build, inProcessBus, startSimulator, waitFor } from '../helper.js'

const enqueueEvent = async (tx: AnyDb, contract: typeof TenantConnected, data: ReturnType<typeof connected>) => (await enqueue(tx, outbox, contract, data)).id
const connected = (tenantId = randomUUID()) => ({ clientId: randomUUID(), tenantId, connectedAt: new Date().toISOString() })

t.test('an event committed just before a crash is published when the service comes back', async (t) => {
  const simulator = await startSimulator(t)
  const first = await build(t, simulator)
  await first.app.close() // the process is gone

  const handle = await openDatabase({ url: first.databaseUrl })
  t.teardown(() => handle.close())
  const { db } = createServiceDb(handle, { schema: 'tenant_auth', migrationsFolder })
  const data = connected()
  const eventId = await db.transaction((tx) => enqueueEvent(tx, TenantConnected, data)) // committed with its state change

  const second = await build(t, simulator, { databaseUrl: first.databaseUrl })
  await waitFor(() => second.events.connected.some((e) => e.id === eventId), 'the event on the bus')
  t.match(second.events.connected.find((e) => e.id === eventId)?.data, data)
  await waitFor(async () => (await db.select().from(outbox).where(isNull(outbox.sentAt))).length === 0, 'marked sent')
})

t.test('a rolled-back change leaves no event; a resend after a crash mid-publish is dropped by its msgId', async (t) => {
  const simulator = await startSimulator(t)
  const h = await build(t, simulator)
  await t.rejects(h.app.db.transaction(async (tx) => {
    await enqueueEvent(tx, TenantConnected, connected())
    throw new Error('the state change failed')
  }))
  t.equal((await h.app.db.select().from(outbox)).length, 0)

  const eventId = await h.app.db.transaction((tx) => enqueueEvent(tx, TenantConnected, connected()))
  h.app.outbox.wake()
  await waitFor(() => h.events.connected.some((e) => e.id === eventId), 'first delivery')
  // as if the process died after publishing but before its commit: the row is unsent again
  await h.app.db.update(outbox).set({ sentAt: null }).where(eq(outbox.id, eventId))
  const marker = await h.app.db.transaction((tx) => enqueueEvent(tx, TenantConnected, connected()))
  h.app.outbox.wake()
  await waitFor(() => h.events.connected.some((e) => e.id === marker), 'the marker after the resend')
  await waitFor(async () => (await h.app.db.select().from(outbox).where(isNull(outbox.sentAt))).length === 0, 'both marked sent')
  t.equal(h.events.connected.filter((e) => e.id === eventId).length, 1, 'JetStream dropped the duplicate')
})

t.test('a publish that fails leaves the row unsent, counted, with the error', async (t) => {
  const simulator = await startSimulator(t)
  const bus = inProcessBus(t)
  const h = await build(t, simulator, { bus })
  await bus.close() // the bus is unusable from here on
  await h.app.db.transaction((tx) => enqueueEvent(tx, TenantConnected, connected()))
  h.app.outbox.wake()
  // attempts counts at the claim, the error is written once the publish failed: wait for the error
  await waitFor(async () => ((await h.app.db.select().from(outbox))[0]?.lastError ?? null) !== null, 'a failed attempt')
  const [row] = await h.app.db.select().from(outbox)
  t.equal(row?.sentAt, null)
  t.ok((row?.attempts ?? 0) >= 1, 'the attempt is counted')
  t.match(row?.lastError, /bus is closed/)
  t.equal((await h.app.db.select({ n: sql<number>`count(*)::int` }).from(outbox))[0]?.n, 1)
})
