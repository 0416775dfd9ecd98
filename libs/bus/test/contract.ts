import type { Test } from 'tap'
import { randomUUID } from 'node:crypto'
import { InvalidEventError, SyncRequested, TenantConnected, TokenRequest, type EventContract, type EventOf } from '@m365/contracts'
import { BusClosedError, PoisonMessageError, RequestFailedError, type BusInspector, type DeliveryInfo, type EventBus } from '../src/index.js'
import { BusTestNoted, syncRequested, tenantConnected } from './helpers/events.js'
import { busyFor, latch, waitFor } from './helpers/wait.js'

export interface BusUnderTest {
  bus: EventBus & BusInspector
  /** Stores a payload on the contract's subject without validation, as a broken publisher would. */
  publishRaw (contract: EventContract, payload: string): Promise<void>
}

/** A fresh bus (its own namespace) per call, closed and cleaned up at the test's teardown. */
export type MakeBus = (t: Test) => Promise<BusUnderTest>

type Tenant = EventOf<typeof TenantConnected>

const quick = { backoffMs: () => 20 }
const token = { ok: true as const, accessToken: 'token-1', expiresOn: new Date(Date.now() + 3600_000).toISOString() }

/** The behaviour both adapters promise; run by nats.test.ts and in-process.test.ts. */
export function busContract (t: Test, makeBus: MakeBus): void {
  t.test('publish → consume round trip', async (t) => {
    const { bus } = await makeBus(t)
    const seen: Array<{ event: Tenant, info: DeliveryInfo }> = []
    await bus.consume(TenantConnected, { durable: 'report-tenant-connected' }, async (event, info) => { seen.push({ event, info }) })
    const event = tenantConnected()
    await bus.publish(TenantConnected, event)
    await waitFor(() => seen.length === 1, 'the event')
    t.same(seen[0]?.event, event)
    t.same(seen[0]?.info, { deliveryCount: 1, msgId: event.id, subject: 'tenant.connected' })
    await waitFor(async () => (await bus.consumerState(TenantConnected, 'report-tenant-connected'))?.ackPending === 0, 'the ack')
  })

  t.test('a contract outside the catalog gets its subject on first use', async (t) => {
    const { bus } = await makeBus(t)
    const seen: number[] = []
    await bus.consume(BusTestNoted, { durable: 'bustest-noted' }, async (event) => { seen.push(event.data.n) })
    await bus.publish(BusTestNoted, { id: randomUUID(), subject: 'bustest.noted', version: 1, occurredAt: new Date().toISOString(), data: { n: 7 } })
    await waitFor(() => seen.length === 1, 'the event')
    t.same(seen, [7])
  })

  t.test('an invalid event is refused at publish, naming the field, and nothing is delivered', async (t) => {
    const { bus } = await makeBus(t)
    const seen: string[] = []
    await bus.consume(TenantConnected, { durable: 'report-tenant-connected' }, async (event) => { seen.push(event.id) })
    const bad = { ...tenantConnected(), data: { ...tenantConnected().data, tenantId: 'not-a-guid' } }
    const err = await bus.publish(TenantConnected, bad).then(() => undefined, (e: unknown) => e)
    t.type(err, InvalidEventError)
    t.equal((err as InvalidEventError).field, '/data/tenantId')
    const marker = tenantConnected()
    await bus.publish(TenantConnected, marker)
    await waitFor(() => seen.length === 1, 'the marker')
    t.same(seen, [marker.id], 'only the valid event arrives')
    t.equal(await bus.storedCount(TenantConnected) <= 1, true, 'the invalid event was never stored')
  })

  t.test('an invalid payload arriving is dead-lettered, never handled', async (t) => {
    const { bus, publishRaw } = await makeBus(t)
    let handled = 0
    await bus.consume(TenantConnected, { durable: 'report-tenant-connected', ...quick }, async () => { handled++ })
    await publishRaw(TenantConnected, 'not json {')
    const wrong = { ...tenantConnected(), data: { ...tenantConnected().data, tenantId: 'nope' } }
    await publishRaw(TenantConnected, JSON.stringify(wrong))
    let letters = await bus.deadLetters('tenant.connected')
    await waitFor(async () => (letters = await bus.deadLetters('tenant.connected')).length === 2, 'two dead letters')
    t.equal(handled, 0)
    t.same(letters.map((l) => l.payload), ['not json {', JSON.stringify(wrong)])
    t.match(letters[0], { subject: 'tenant.connected', durable: 'report-tenant-connected', deliveries: 1, errors: [/invalid payload/] })
    t.match(letters[1]?.errors, [/\/data\/tenantId/])
    await waitFor(async () => (await bus.consumerState(TenantConnected, 'report-tenant-connected'))?.ackPending === 0, 'both termed')
  })

  t.test('a handler that throws once gets the message again, then it is acked', async (t) => {
    const { bus } = await makeBus(t)
    const counts: number[] = []
    const done = latch()
    await bus.consume(TenantConnected, { durable: 'report-tenant-connected', ...quick }, async (_event, info) => {
      counts.push(info.deliveryCount)
      if (info.deliveryCount === 1) throw new Error('database busy')
      done.open()
    })
    await bus.publish(TenantConnected, tenantConnected())
    await done.promise
    t.same(counts, [1, 2])
    await waitFor(async () => (await bus.consumerState(TenantConnected, 'report-tenant-connected'))?.ackPending === 0, 'the ack')
    t.same(await bus.deadLetters('tenant.connected'), [])
  })

  t.test('a handler that always throws gets exactly maxDeliver deliveries, then a dead letter with every error', async (t) => {
    const { bus } = await makeBus(t)
    const counts: number[] = []
    await bus.consume(TenantConnected, { durable: 'report-tenant-connected', maxDeliver: 3, ...quick }, async (_event, info) => {
      counts.push(info.deliveryCount)
      throw new Error(`boom ${info.deliveryCount}`)
    })
    const event = tenantConnected()
    await bus.publish(TenantConnected, event)
    await waitFor(async () => (await bus.deadLetters('tenant.connected')).length === 1, 'the dead letter')
    await waitFor(async () => (await bus.consumerState(TenantConnected, 'report-tenant-connected'))?.ackPending === 0, 'the term')
    t.same(counts, [1, 2, 3])
    const [letter] = await bus.deadLetters('tenant.connected')
    t.match(letter, { msgId: event.id, deliveries: 3, errors: ['boom 1', 'boom 2', 'boom 3'], payload: JSON.stringify(event) })
    t.same(JSON.parse(letter?.payload ?? ''), event)
  })

  t.test('PoisonMessageError dead-letters after one delivery', async (t) => {
    const { bus } = await makeBus(t)
    let deliveries = 0
    await bus.consume(TenantConnected, { durable: 'report-tenant-connected', ...quick }, async () => {
      deliveries++
      throw new PoisonMessageError('tenant belongs to no client')
    })
    await bus.publish(TenantConnected, tenantConnected())
    await waitFor(async () => (await bus.deadLetters('tenant.connected')).length === 1, 'the dead letter')
    await waitFor(async () => (await bus.consumerState(TenantConnected, 'report-tenant-connected'))?.ackPending === 0, 'the term')
    t.equal(deliveries, 1)
    t.match((await bus.deadLetters('tenant.connected'))[0], { deliveries: 1, errors: ['tenant belongs to no client'] })
  })

  t.test('the same msgId published twice is delivered once', async (t) => {
    const { bus } = await makeBus(t)
    const seen: string[] = []
    await bus.consume(TenantConnected, { durable: 'report-tenant-connected' }, async (event) => { seen.push(event.id) })
    const once = tenantConnected()
    await bus.publish(TenantConnected, once)
    await bus.publish(TenantConnected, once)
    const a = tenantConnected()
    await bus.publish(TenantConnected, a, { msgId: 'schedule-tenant-x-2026-11-27T10' })
    await bus.publish(TenantConnected, tenantConnected(), { msgId: 'schedule-tenant-x-2026-11-27T10' })
    const marker = tenantConnected()
    await bus.publish(TenantConnected, marker)
    await waitFor(() => seen.includes(marker.id), 'the marker')
    t.same(seen, [once.id, a.id, marker.id])
  })

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

  t.test('bus.close() waits for in-flight handlers, then refuses work', async (t) => {
    const { bus } = await makeBus(t)
    const started = latch()
    const release = latch()
    let finished = false
    await bus.consume(TenantConnected, { durable: 'report-tenant-connected' }, async () => {
      started.open()
      await release.promise
      finished = true
    })
    await bus.publish(TenantConnected, tenantConnected())
    await started.promise
    const closing = bus.close()
    release.open()
    await closing
    t.equal(finished, true)
    await t.rejects(bus.publish(TenantConnected, tenantConnected()), BusClosedError)
    await t.rejects(bus.ping(), BusClosedError)
  })

  t.test('request/serve round trip, validated both ways', async (t) => {
    const { bus } = await makeBus(t)
    const tenantId = randomUUID()
    const asked: string[] = []
    await bus.serve(TokenRequest, async (req) => {
      asked.push(req.tenantId)
      if (req.scope === 'throw') throw new Error('key vault unreachable')
      if (req.scope === 'invalid') return { ok: true, accessToken: '', expiresOn: 'soon' } as never
      return token
    })
    t.same(await bus.request(TokenRequest, { tenantId }), token)
    t.same(asked, [tenantId])

    const invalid = await bus.request(TokenRequest, { tenantId: 'nope' }).then(() => undefined, (e: unknown) => e)
    t.type(invalid, InvalidEventError)
    t.equal((invalid as InvalidEventError).field, '/tenantId')
    t.equal(asked.length, 1, 'an invalid request is not sent')

    const thrown = await bus.request(TokenRequest, { tenantId, scope: 'throw' }).then(() => undefined, (e: unknown) => e)
    t.type(thrown, RequestFailedError)
    t.match(thrown, { reason: 'handler_error', message: /key vault unreachable/ })

    const badReply = await bus.request(TokenRequest, { tenantId, scope: 'invalid' }).then(() => undefined, (e: unknown) => e)
    t.match(badReply, { reason: 'invalid_reply', message: /tokens\.get reply/ })
  })

  t.test('serve replicas share the requests, each answered once', async (t) => {
    const { bus } = await makeBus(t)
    const calls = { a: 0, b: 0 }
    await bus.serve(TokenRequest, async () => { calls.a++; return token })
    await bus.serve(TokenRequest, async () => { calls.b++; return token })
    for (let i = 0; i < 20; i++) await bus.request(TokenRequest, { tenantId: randomUUID() })
    t.equal(calls.a + calls.b, 20)
  })

  t.test('a request nobody serves, or nobody answers in time, rejects', async (t) => {
    const { bus } = await makeBus(t)
    const nobody = await bus.request(TokenRequest, { tenantId: randomUUID() }, { timeoutMs: 500 }).then(() => undefined, (e: unknown) => e)
    t.type(nobody, RequestFailedError)
    t.match((nobody as RequestFailedError).reason, /^(no_responders|timeout)$/)
    const release = latch()
    await bus.serve(TokenRequest, async () => { await release.promise; return token })
    const slow = await bus.request(TokenRequest, { tenantId: randomUUID() }, { timeoutMs: 200 }).then(() => undefined, (e: unknown) => e)
    release.open()
    t.match(slow, { reason: 'timeout' })
  })

  t.test('ping resolves on a working bus', async (t) => {
    const { bus } = await makeBus(t)
    await t.resolves(bus.ping())
  })
}
