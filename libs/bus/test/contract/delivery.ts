import type { Test } from 'tap'
import { randomUUID } from 'node:crypto'
import { InvalidEventError, TenantConnected, type EventOf } from '@m365/contracts'
import { PoisonMessageError, type DeliveryInfo } from '../../src/index.js'
import { BusTestNoted, tenantConnected } from '../helpers/events.js'
import { latch, waitFor } from '../helpers/wait.js'
import type { MakeBus } from './types.js'

type Tenant = EventOf<typeof TenantConnected>

const quick = { backoffMs: () => 20 }

/** Publish, validation, retries, dead letters, dedupe. */
export function deliveryContract (t: Test, makeBus: MakeBus): void {
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
}
