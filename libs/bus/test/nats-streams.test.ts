import t, { type Test } from 'tap'
import { randomUUID } from 'node:crypto'
import { connect, RetentionPolicy } from 'nats'
import { TenantConnected } from '@m365/contracts'
import { createBusFromConfig, createNatsBus, deleteNatsNamespace, type NatsBus } from '../src/index.js'
import { tenantConnected } from './helpers/events.js'
import { waitFor } from './helpers/wait.js'

const url = process.env.NATS_URL || 'nats://127.0.0.1:4222'
const fileNamespace = `bustest_${randomUUID().slice(0, 8)}`
let n = 0

async function natsBus (t: Test, options: { namespace?: string, duplicateWindowMs?: number } = {}): Promise<NatsBus> {
  const namespace = options.namespace ?? `${fileNamespace}_${++n}`
  const bus = await createNatsBus({ url, namespace, duplicateWindowMs: options.duplicateWindowMs })
  t.teardown(async () => {
    await bus.close()
    await deleteNatsNamespace({ url, namespace }).catch(() => {})
  })
  return bus
}

t.test('streams: events (limits), jobs (work queue), dlq; start is idempotent and updates the window', async (t) => {
  const first = await natsBus(t)
  const again = await natsBus(t, { namespace: first.naming.namespace, duplicateWindowMs: 60_000 })
  const jsm = await again.connection.jetstreamManager()
  const events = (await jsm.streams.info(first.naming.streams.events)).config
  const jobs = (await jsm.streams.info(first.naming.streams.jobs)).config
  const dlq = (await jsm.streams.info(first.naming.streams.dlq)).config
  const ns = first.naming.namespace
  t.equal(events.retention, RetentionPolicy.Limits)
  t.ok(events.subjects.includes(`${ns}.tenant.connected`) && events.subjects.includes(`${ns}.o365.users.upserted`))
  t.notOk(events.subjects.includes(`${ns}.sync.requested`))
  t.equal(jobs.retention, RetentionPolicy.Workqueue)
  t.same(jobs.subjects, [`${ns}.sync.requested`])
  t.same(dlq.subjects, [`${ns}.dlq.>`])
  t.equal(events.duplicate_window, 60_000 * 1e6, 'the second start updated the dedupe window')
  t.equal(first.naming.streams.events, `${ns}_EVENTS`, 'no dots in stream names')
})

t.test('the events stream keeps history: a durable created after another acked still gets everything', async (t) => {
  const bus = await natsBus(t)
  const first: string[] = []
  await bus.consume(TenantConnected, { durable: 'report-tenant-connected' }, async (e) => { first.push(e.id) })
  const events = [tenantConnected(), tenantConnected()]
  for (const e of events) await bus.publish(TenantConnected, e)
  await waitFor(() => first.length === 2, 'the first durable')
  const late: string[] = []
  await bus.consume(TenantConnected, { durable: 'audit-tenant-connected' }, async (e) => { late.push(e.id) })
  await waitFor(() => late.length === 2, 'the late durable')
  t.same(late, events.map((e) => e.id))
  t.equal(await bus.storedCount(TenantConnected), 2)
  t.equal(await bus.consumerState(TenantConnected, 'nobody'), undefined)
})

t.test('namespaces do not see each other', async (t) => {
  const a = await natsBus(t)
  const b = await natsBus(t)
  const inB: string[] = []
  await b.consume(TenantConnected, { durable: 'report-tenant-connected' }, async (e) => { inB.push(e.id) })
  await a.publish(TenantConnected, tenantConnected())
  const marker = tenantConnected()
  await b.publish(TenantConnected, marker)
  await waitFor(() => inB.length > 0, 'the marker in b')
  t.same(inB, [marker.id])
})

t.test('bad names are refused with a clear message', async (t) => {
  await t.rejects(createNatsBus({ url, namespace: 'has.dot' }), /namespace "has.dot"/)
  const bus = await natsBus(t)
  await t.rejects(bus.consume(TenantConnected, { durable: 'report.tenant' }, async () => {}), /durable name "report.tenant"/)
  await t.rejects(deleteNatsNamespace({ url, namespace: '' }), /empty/)
  await t.rejects(createNatsBus({ url: 'nats://127.0.0.1:1' }), /cannot connect to NATS at nats:\/\/127\.0\.0\.1:1/)
  const refused = await createNatsBus({ url: 'nats://bus:s3cret@127.0.0.1:1,tls://t0ken@127.0.0.1:2' }).catch((err: Error) => err)
  t.match(refused, { message: /cannot connect to NATS at nats:\/\/\*\*\*@127\.0\.0\.1:1,tls:\/\/\*\*\*@127\.0\.0\.1:2/ }, 'no credentials in the message')
  t.notMatch(String(refused), /s3cret|t0ken/)
})

t.test('a raw message without Nats-Msg-Id is named by its sequence in its dead letter', async (t) => {
  const bus = await natsBus(t)
  await bus.consume(TenantConnected, { durable: 'report-tenant-connected' }, async () => {})
  const nc = await connect({ servers: url })
  t.teardown(() => nc.close())
  await nc.jetstream().publish(bus.naming.subject('tenant.connected'), '{}')
  await waitFor(async () => (await bus.deadLetters('tenant.connected')).length === 1, 'the dead letter')
  t.match((await bus.deadLetters('tenant.connected'))[0]?.msgId, /^seq-\d+$/)
  t.same(await bus.deadLetters('tenant.connected', { limit: 0 }), [])
})

t.test('createBusFromConfig picks NATS when NATS_URL is set', async (t) => {
  const namespace = `${fileNamespace}_cfg`
  const bus = await createBusFromConfig({ NATS_URL: url, BUS_NAMESPACE: namespace })
  t.teardown(async () => {
    await bus.close()
    await deleteNatsNamespace({ url, namespace })
  })
  t.equal(bus.kind, 'nats')
  await t.resolves(bus.ping())
})
