import t, { type Test } from 'tap'
import { SyncRequested, TenantConnected } from '@m365/contracts'
import { createInProcessBus, EventNotConsumedError } from '../src/index.js'
import { syncRequested, tenantConnected } from './helpers/events.js'
import { waitFor } from './helpers/wait.js'

const quiet = { publishAwaitsConsumers: true, log: { debug () {}, info () {}, warn () {}, error () {} } }

/** A handler that holds each message until released; close() waits for running handlers, so tests release at the end. */
function holding (t: Test, outcome: 'ack' | 'fail' = 'ack') {
  const waiting: Array<() => void> = []
  let released = false
  const releaseAll = () => { released = true; for (const release of waiting.splice(0)) release() }
  t.teardown(releaseAll)
  const handler = async () => {
    if (!released) await new Promise<void>((resolve) => waiting.push(resolve))
    if (outcome === 'fail') throw new Error('failed after the hold')
  }
  return { handler, releaseAll, get holding () { return waiting.length } }
}

/** Whether `promise` has settled by the time the event loop has run everything it can. */
async function settledYet (promise: Promise<unknown>): Promise<boolean> {
  let done = false
  promise.then(() => { done = true }, () => { done = true })
  await new Promise((resolve) => setImmediate(resolve))
  return done
}

t.test('publish resolves only once every durable owing the event has acked it', async (t) => {
  const bus = createInProcessBus(quiet)
  t.teardown(() => bus.close())
  const release: Array<() => void> = []
  const seen: string[] = []
  await bus.consume(TenantConnected, { durable: 'report-tenant-connected' }, async (e) => {
    await new Promise<void>((resolve) => release.push(resolve))
    seen.push(e.id)
  })
  const audit: string[] = []
  await bus.consume(TenantConnected, { durable: 'audit-tenant-connected' }, async (e) => { audit.push(e.id) })

  const event = tenantConnected()
  const published = bus.publish(TenantConnected, event)
  await waitFor(() => audit.length === 1 && release.length === 1, 'both durables to have it')
  t.notOk(await settledYet(published), 'not while one durable is still handling it')
  release[0]?.()
  await published
  t.same(seen, [event.id])
})

t.test('a failing handler holds the publish until it is retried to success or dead-lettered', async (t) => {
  const bus = createInProcessBus(quiet)
  t.teardown(() => bus.close())
  let calls = 0
  await bus.consume(TenantConnected, { durable: 'report-tenant-connected', maxDeliver: 2, backoffMs: () => 20 }, async () => {
    calls++
    throw new Error('always')
  })
  await bus.publish(TenantConnected, tenantConnected())
  t.equal(calls, 2, 'resolved after the last delivery')
  t.equal((await bus.deadLetters(TenantConnected.subject)).length, 1, 'and the event is a dead letter to look at')
})

t.test('jobs, events nobody consumes yet and a bus without the option resolve at once', async (t) => {
  const bus = createInProcessBus(quiet)
  t.teardown(() => bus.close())
  await bus.publish(TenantConnected, tenantConnected())
  t.equal(await bus.storedCount(TenantConnected), 1, 'no durable yet: held, and the publish did not wait')
  await bus.consume(SyncRequested, { durable: 'graph-sync-sync-requested' }, holding(t).handler)
  t.ok(await settledYet(bus.publish(SyncRequested, syncRequested())), 'a job is handed over, not awaited')

  const plain = createInProcessBus()
  t.teardown(() => plain.close())
  await plain.consume(TenantConnected, { durable: 'report-tenant-connected' }, holding(t).handler)
  t.ok(await settledYet(plain.publish(TenantConnected, tenantConnected())), 'without the option')
})

t.test('an event its consumers stop consuming, or that is dropped, fails its publish', async (t) => {
  const bus = createInProcessBus(quiet)
  t.teardown(() => bus.close())
  const hold = holding(t, 'fail')
  const sub = await bus.consume(TenantConnected, { durable: 'report-tenant-connected', backoffMs: () => 60_000 }, hold.handler)
  const event = tenantConnected()
  const published = bus.publish(TenantConnected, event)
  await waitFor(() => hold.holding === 1, 'the handler to hold it')
  const closed = sub.close()
  hold.releaseAll()
  await closed
  await t.rejects(published, EventNotConsumedError, 'its only subscription closed before it was settled (shutdown)')
  await t.rejects(bus.publish(TenantConnected, event), EventNotConsumedError, 'a repeat waits for the held original, which nobody consumes')
  t.equal(await bus.storedCount(TenantConnected), 1, 'still held for the durable')

  const closing = createInProcessBus(quiet)
  const held = holding(t, 'fail')
  await closing.consume(TenantConnected, { durable: 'report-tenant-connected', backoffMs: () => 60_000 }, held.handler)
  const inFlight = closing.publish(TenantConnected, tenantConnected())
  await waitFor(() => held.holding === 1, 'the handler to hold it')
  const busClosed = closing.close()
  held.releaseAll()
  await busClosed
  await t.rejects(inFlight, EventNotConsumedError, 'the bus closed before it was settled')

  const full = createInProcessBus({ ...quiet, maxMessagesPerSubject: 1 })
  t.teardown(() => full.close())
  await full.consume(TenantConnected, { durable: 'report-tenant-connected' }, holding(t).handler)
  const first = full.publish(TenantConnected, tenantConnected())
  full.publish(TenantConnected, tenantConnected()).catch(() => {})
  await t.rejects(first, EventNotConsumedError, 'pushed out of a full log')
})
