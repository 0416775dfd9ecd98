import type { Test } from 'tap'
import { SyncRequested, TenantConnected, type EventOf } from '@m365/contracts'
import { syncRequested, tenantConnected } from '../helpers/events.js'
import { busyFor, latch, waitFor } from '../helpers/wait.js'
import type { MakeBus } from './types.js'

type Tenant = EventOf<typeof TenantConnected>

/** Durables, competing consumers, work queue, concurrency, heartbeats, closing a subscription. */
export function consumersContract (t: Test, makeBus: MakeBus): void {
  t.test('two subscriptions on one durable share the messages, each message once', async (t) => {
    const { bus } = await makeBus(t)
    const bySub: Record<'a' | 'b', string[]> = { a: [], b: [] }
    // Each subscription holds its first message until the other has one too, so both must get work.
    const started = { a: latch(), b: latch() }
    const handler = (me: 'a' | 'b', other: 'a' | 'b') => async (event: Tenant) => {
      bySub[me].push(event.id)
      started[me].open()
      await started[other].promise
    }
    await bus.consume(TenantConnected, { durable: 'report-tenant-connected' }, handler('a', 'b'))
    await bus.consume(TenantConnected, { durable: 'report-tenant-connected' }, handler('b', 'a'))
    const ids: string[] = []
    for (let i = 0; i < 10; i++) {
      const e = tenantConnected()
      ids.push(e.id)
      await bus.publish(TenantConnected, e)
    }
    await waitFor(() => bySub.a.length + bySub.b.length >= 10, 'all ten')
    await waitFor(async () => (await bus.consumerState(TenantConnected, 'report-tenant-connected'))?.ackPending === 0, 'the acks')
    t.same([...bySub.a, ...bySub.b].sort(), [...ids].sort(), 'each message exactly once')
    t.ok(bySub.a.length > 0 && bySub.b.length > 0, 'both subscriptions got work')
  })

  t.test('every durable gets every event (fan-out)', async (t) => {
    const { bus } = await makeBus(t)
    const report: string[] = []
    const sync: string[] = []
    await bus.consume(TenantConnected, { durable: 'report-tenant-connected' }, async (e) => { report.push(e.id) })
    await bus.consume(TenantConnected, { durable: 'graph-sync-tenant-connected' }, async (e) => { sync.push(e.id) })
    const events = [tenantConnected(), tenantConnected(), tenantConnected()]
    for (const e of events) await bus.publish(TenantConnected, e)
    await waitFor(() => report.length === 3 && sync.length === 3, 'both durables')
    t.same(report, events.map((e) => e.id))
    t.same(sync, events.map((e) => e.id))
  })

  t.test('a consumer created after publishing still gets the earlier events', async (t) => {
    const { bus } = await makeBus(t)
    const events = [tenantConnected('a'), tenantConnected('b'), tenantConnected('c')]
    for (const e of events) await bus.publish(TenantConnected, e)
    const seen: string[] = []
    await bus.consume(TenantConnected, { durable: 'report-tenant-connected' }, async (e) => { seen.push(e.id) })
    await waitFor(() => seen.length === 3, 'the three earlier events')
    t.same(seen, events.map((e) => e.id))
  })

  t.test('a work-queue job is consumed once, then removed; a second durable is refused', async (t) => {
    const { bus } = await makeBus(t)
    const handled: string[] = []
    const handler = async (e: EventOf<typeof SyncRequested>) => { handled.push(e.id) }
    await bus.consume(SyncRequested, { durable: 'graph-sync-sync-requested', concurrency: 2 }, handler)
    await bus.consume(SyncRequested, { durable: 'graph-sync-sync-requested', concurrency: 2 }, handler)
    const jobs = Array.from({ length: 6 }, () => syncRequested())
    for (const j of jobs) await bus.publish(SyncRequested, j)
    await waitFor(() => handled.length >= 6, 'six jobs')
    await waitFor(async () => (await bus.storedCount(SyncRequested)) === 0, 'the queue to empty')
    t.same([...handled].sort(), jobs.map((j) => j.id).sort(), 'each job once')
    await t.rejects(bus.consume(SyncRequested, { durable: 'someone-else' }, handler))
  })

  t.test('handlers run at most `concurrency` at a time', async (t) => {
    const { bus } = await makeBus(t)
    let running = 0
    let most = 0
    let handled = 0
    await bus.consume(TenantConnected, { durable: 'report-tenant-connected', concurrency: 3 }, async () => {
      running++
      most = Math.max(most, running)
      try {
        await waitFor(() => running === 3 || handled >= 3, 'three handlers at once')
      } finally {
        running--
        handled++
      }
    })
    for (let i = 0; i < 6; i++) await bus.publish(TenantConnected, tenantConnected())
    await waitFor(() => handled === 6, 'six handled')
    t.equal(most, 3)
  })

  t.test('a handler running past the ack wait keeps its message (heartbeats)', async (t) => {
    const { bus } = await makeBus(t)
    const counts: number[] = []
    let finished = 0
    await bus.consume(TenantConnected, { durable: 'report-tenant-connected', ackWaitMs: 500, concurrency: 2 }, async (_e, info) => {
      counts.push(info.deliveryCount)
      await busyFor(1_500)
      finished++
    })
    await bus.publish(TenantConnected, tenantConnected())
    await waitFor(() => finished === 1, 'the slow handler')
    await waitFor(async () => (await bus.consumerState(TenantConnected, 'report-tenant-connected'))?.ackPending === 0, 'the ack')
    t.same(counts, [1], 'never redelivered while running')
  })

  t.test('Subscription.close() waits for a slow handler to finish and ack', async (t) => {
    const { bus } = await makeBus(t)
    const started = latch()
    const release = latch()
    let finished = false
    const sub = await bus.consume(TenantConnected, { durable: 'report-tenant-connected', ackWaitMs: 1_000 }, async () => {
      started.open()
      await release.promise
      finished = true
    })
    const slow = tenantConnected()
    await bus.publish(TenantConnected, slow)
    await started.promise
    let closed = false
    const closing = sub.close().then(() => { closed = true })
    await new Promise((resolve) => setImmediate(resolve))
    t.equal(closed, false, 'close waits while the handler runs')
    release.open()
    await closing
    t.equal(finished, true)
    t.same(await bus.consumerState(TenantConnected, 'report-tenant-connected'), { pending: 0, ackPending: 0 }, 'acked before close resolved')
    const seen: string[] = []
    await bus.consume(TenantConnected, { durable: 'report-tenant-connected' }, async (e) => { seen.push(e.id) })
    const marker = tenantConnected()
    await bus.publish(TenantConnected, marker)
    await waitFor(() => seen.length === 1, 'the marker')
    t.same(seen, [marker.id], 'the slow message is not redelivered')
  })
}
