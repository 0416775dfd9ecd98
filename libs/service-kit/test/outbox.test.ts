import t from 'tap'
import pino from 'pino'
import { sql } from 'drizzle-orm'
import { ClientCreated, ClientDeleted, type EventOf } from '@m365/contracts'
import { createInProcessBus } from '@m365/bus'
import { queryRows } from '@m365/db'
import { createOutboxPublisher, enqueue, pruneSentOutbox } from '../src/outbox/index.js'
import { outbox } from './fixtures/schema.js'
import { build, waitFor } from './helper.js'

const log = pino({ level: 'silent' })
const created = (name: string) => ({ clientId: '6f1c2a34-8d0e-4b6a-9c1d-2e3f4a5b6c7d', name, createdAt: new Date().toISOString() })

t.test('events written with a change go out once it commits, in order, with their id as msgId; then marked sent', async (t) => {
  const { app, bus } = await build(t)
  const seen: string[] = []
  await bus.consume(ClientCreated, { durable: 'outbox-test' }, async (event) => { seen.push(event.data.name) })
  await t.rejects(app.db.transaction(async (tx) => {
    await enqueue(tx, outbox, ClientCreated, created('rolled back'))
    throw new Error('the change failed')
  }))
  const events = await app.db.transaction(async (tx) => [
    await enqueue(tx, outbox, ClientCreated, created('first')),
    await enqueue(tx, outbox, ClientCreated, created('second')),
    await enqueue(tx, outbox, ClientDeleted, { clientId: created('x').clientId, deletedAt: new Date().toISOString() }, { id: 'client-deleted-1' })
  ])
  t.equal(events[2]?.id, 'client-deleted-1', 'an id of our own')
  await bus.publish(ClientCreated, events[0] as EventOf<typeof ClientCreated>, { msgId: events[0]?.id }) // as if published before a crash

  const publisher = createOutboxPublisher({ db: app.db, bus, table: outbox, log, pollMs: 60_000, batch: 2 }).start()
  t.teardown(() => publisher.stop())
  await waitFor(async () => (await unsent(app.db)) === 0, 'all marked sent')
  await waitFor(() => seen.length === 2, 'both delivered')
  t.same(seen, ['first', 'second'], 'in order, the repeat dropped by its msgId, nothing of the rolled-back change')
  t.equal(await bus.storedCount(ClientDeleted), 1)
})

t.test('a publish that fails leaves the rows unsent with the attempt and the error', async (t) => {
  const { app, bus } = await build(t)
  await bus.close()
  await app.db.transaction((tx) => enqueue(tx, outbox, ClientCreated, created('stuck')))
  const publisher = createOutboxPublisher({ db: app.db, bus, table: outbox, log, pollMs: 20 }).start()
  t.teardown(() => publisher.stop())
  // read between attempts: the publisher keeps retrying, and each attempt leases the row again
  let row: Row | undefined
  await waitFor(async () => {
    [row] = await rows(app.db)
    return row?.last_error != null && row.lease_until === null
  }, 'a failed attempt, its lease given back')
  t.match(row, { sent_at: null, lease_until: null, last_error: /closed/ })
  t.ok(Number(row?.attempts) >= 1)
})

t.test('in memory (single-process), a row is sent only once consumed: one its consumer never settled goes again after a restart', async (t) => {
  const memory = () => createInProcessBus({ publishAwaitsConsumers: true, log })
  const first = memory()
  const { app } = await build(t, { bus: first })
  let release: () => void = () => {}
  const held = new Promise<void>((resolve) => { release = resolve })
  t.teardown(release)
  let deliveries = 0
  const consumer = await first.consume(ClientCreated, { durable: 'report-client-created' }, async () => {
    deliveries++
    await held
    throw new Error('the process stops before the handler commits')
  })
  await app.db.transaction((tx) => enqueue(tx, outbox, ClientCreated, created('in flight')))
  const publisher = createOutboxPublisher({ db: app.db, bus: first, table: outbox, log, pollMs: 60_000, leaseMs: 1 }).start()
  await waitFor(() => deliveries === 1, 'the consumer to have it')
  t.equal(await unsent(app.db), 1, 'handed over, not sent: nothing has consumed it yet')

  // the process stops: the consumer closes, its handler failing; the publisher gives the row back
  const closing = consumer.close()
  release()
  await closing
  await publisher.stop()
  t.match((await rows(app.db))[0], { sent_at: null, last_error: /dropped before its consumers settled it/ })

  const second = memory() // a new process: an empty bus
  t.teardown(() => second.close())
  const seen: string[] = []
  await second.consume(ClientCreated, { durable: 'report-client-created' }, async (event) => { seen.push(event.data.name) })
  const again = createOutboxPublisher({ db: app.db, bus: second, table: outbox, log, pollMs: 20, leaseMs: 1 }).start()
  t.teardown(() => again.stop())
  await waitFor(async () => (await unsent(app.db)) === 0, 'sent after the restart')
  t.same(seen, ['in flight'], 'consumed before it counted as sent')
})

t.test('only rows sent before the cut-off are pruned', async (t) => {
  const { app } = await build(t)
  await app.db.execute(sql`insert into kit_test.outbox (id, subject, payload, sent_at) values
    ('old', 'client.created', '{}', now() - interval '2 days'), ('recent', 'client.created', '{}', now()), ('unsent', 'client.created', '{}', null)`)
  await pruneSentOutbox(app.db, outbox, 86_400_000)
  t.same((await rows(app.db)).map((row) => row.id), ['recent', 'unsent'])
})

type Row = { id: string, sent_at: Date | null, lease_until: Date | null, attempts: number, last_error: string | null }
const rows = (db: Parameters<typeof queryRows>[0]) => queryRows<Row>(db, sql`select * from kit_test.outbox order by seq`)
const unsent = async (db: Parameters<typeof queryRows>[0]) => (await rows(db)).filter((row) => row.sent_at === null).length
