import t from 'tap'
import pino from 'pino'
import { SyncRequested, TenantConnected } from '@m365/contracts'
import { createBusFromConfig, createInProcessBus } from '../src/index.js'
import { syncRequested, tenantConnected } from './helpers/events.js'
import { waitFor } from './helpers/wait.js'

t.test('events are held until the first durable exists, and dropped once every durable acked them', async (t) => {
  const bus = createInProcessBus({ log: pino({ level: 'silent' }) })
  t.teardown(() => bus.close())
  for (let i = 0; i < 3; i++) await bus.publish(TenantConnected, tenantConnected())
  t.equal(await bus.storedCount(TenantConnected), 3, 'held for a durable to come')

  const report: string[] = []
  const audit: string[] = []
  await bus.consume(TenantConnected, { durable: 'report-tenant-connected' }, async (e) => { report.push(e.id) })
  const auditSub = await bus.consume(TenantConnected, { durable: 'audit-tenant-connected' }, async (e) => { audit.push(e.id) })
  await waitFor(() => report.length === 3 && audit.length === 3, 'both durables')
  await waitFor(async () => (await bus.storedCount(TenantConnected)) === 0, 'the log to empty')

  await auditSub.close()
  await bus.publish(TenantConnected, tenantConnected())
  await waitFor(() => report.length === 4, 'report')
  t.equal(await bus.storedCount(TenantConnected), 1, 'kept for the registered durable that is not subscribed now')
  t.same(await bus.consumerState(TenantConnected, 'audit-tenant-connected'), { pending: 1, ackPending: 0 })
  t.equal(await bus.consumerState(TenantConnected, 'nobody'), undefined)
})

t.test('a durable created after every other durable acked sees only what is still held (documented difference)', async (t) => {
  const bus = createInProcessBus()
  t.teardown(() => bus.close())
  const first: string[] = []
  await bus.consume(TenantConnected, { durable: 'report-tenant-connected' }, async (e) => { first.push(e.id) })
  await bus.publish(TenantConnected, tenantConnected())
  await waitFor(() => first.length === 1, 'the first durable')
  await waitFor(async () => (await bus.storedCount(TenantConnected)) === 0, 'the log to empty')
  const late: string[] = []
  await bus.consume(TenantConnected, { durable: 'late-tenant-connected' }, async (e) => { late.push(e.id) })
  const marker = tenantConnected()
  await bus.publish(TenantConnected, marker)
  await waitFor(() => late.length > 0, 'the marker')
  t.same(late, [marker.id], 'the acked event was gone before the late durable existed')
})

t.test('the log is capped: the oldest messages go first, with a warning', async (t) => {
  const warnings: string[] = []
  const noop = () => {}
  const bus = createInProcessBus({ maxMessagesPerSubject: 2, log: { debug: noop, info: noop, error: noop, warn: (_o, msg) => { warnings.push(msg ?? '') } } })
  t.teardown(() => bus.close())
  const events = [tenantConnected(), tenantConnected(), tenantConnected()]
  for (const e of events) await bus.publish(TenantConnected, e)
  t.equal(await bus.storedCount(TenantConnected), 2)
  t.same(warnings, ['in-process bus full, oldest message dropped'])
  const seen: string[] = []
  await bus.consume(TenantConnected, { durable: 'report-tenant-connected' }, async (e) => { seen.push(e.id) })
  await waitFor(() => seen.length === 2, 'the two held')
  t.same(seen, [events[1]?.id, events[2]?.id])
})

t.test('a work-queue job published before its durable exists waits for it, then goes', async (t) => {
  const bus = createInProcessBus()
  t.teardown(() => bus.close())
  const job = syncRequested()
  await bus.publish(SyncRequested, job)
  const seen: string[] = []
  await bus.consume(SyncRequested, { durable: 'graph-sync-sync-requested' }, async (e) => { seen.push(e.id) })
  await waitFor(() => seen.length === 1, 'the job')
  await waitFor(async () => (await bus.storedCount(SyncRequested)) === 0, 'the queue to empty')
  t.same(seen, [job.id])
})

t.test('one durable name consumes one subject', async (t) => {
  const bus = createInProcessBus()
  t.teardown(() => bus.close())
  await bus.consume(TenantConnected, { durable: 'report-x' }, async () => {})
  const { TenantDisconnected } = await import('@m365/contracts')
  await t.rejects(bus.consume(TenantDisconnected, { durable: 'report-x' }, async () => {}), /already consumes tenant\.connected/)
})

t.test('createBusFromConfig falls back to the in-process bus without NATS_URL', async (t) => {
  const bus = await createBusFromConfig({ NATS_URL: '' })
  t.teardown(() => bus.close())
  t.equal(bus.kind, 'in-process')
})
