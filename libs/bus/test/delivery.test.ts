import t from 'tap'
import { TenantConnected } from '@m365/contracts'
import { consumerSettings, DeliveryProcessor, type Delivery } from '../src/delivery.js'
import { RetryLaterError, silentLogger, stepBackoff, type DeadLetter } from '../src/index.js'
import { DedupeWindow } from '../src/in-process/dedupe.js'
import { tenantConnected } from './helpers/events.js'

/** A delivery as an adapter would hand it over, recording what the processor decided. */
function delivery (deliveryCount: number, options: { failDeadLetter?: boolean } = {}) {
  const calls: string[] = []
  const letters: DeadLetter[] = []
  const d: Delivery = {
    payload: JSON.stringify(tenantConnected()),
    deliveryCount,
    msgId: 'm-1',
    key: '1',
    ack: async () => { calls.push('ack') },
    nak: (delayMs) => { calls.push(`nak ${delayMs}`) },
    term: () => { calls.push('term') },
    working: () => { calls.push('working') },
    deadLetter: async (letter) => {
      if (options.failDeadLetter) throw new Error('dlq unavailable')
      letters.push(letter)
    }
  }
  return { d, calls, letters }
}

t.test('a delivery beyond maxDeliver (earlier ones never acked) is dead-lettered without running the handler', async (t) => {
  let ran = 0
  const p = new DeliveryProcessor(TenantConnected, consumerSettings({ durable: 'd', maxDeliver: 2 }), async () => { ran++ }, silentLogger)
  const { d, calls, letters } = delivery(3)
  await p.process(d)
  t.equal(ran, 0)
  t.same(calls, ['term'])
  t.match(letters[0], { deliveries: 2, errors: [/not acknowledged within 30000 ms/] })
})

t.test('when the dead letter cannot be stored the message is nak-ed, not termed', async (t) => {
  const p = new DeliveryProcessor(TenantConnected, consumerSettings({ durable: 'd', maxDeliver: 1, backoffMs: () => 7 }), async () => {
    throw new Error('boom')
  }, silentLogger)
  const { d, calls } = delivery(1, { failDeadLetter: true })
  await p.process(d)
  t.same(calls, ['nak 7'])
})

t.test('failures back off by attempt', async (t) => {
  const p = new DeliveryProcessor(TenantConnected, consumerSettings({ durable: 'd', backoffMs: stepBackoff([10, 20]) }), async () => {
    throw new Error('boom')
  }, silentLogger)
  for (const n of [1, 2, 3]) {
    const { d, calls } = delivery(n)
    await p.process(d)
    t.same(calls, [`nak ${n === 1 ? 10 : 20}`])
  }
})

t.test('a failure that says how long to wait (retryAfterMs, on it or a cause) comes back no sooner than that', async (t) => {
  const throttled = Object.assign(new Error('429 from upstream'), { retryAfterMs: 90_000 })
  const failures = [throttled, new Error('attempt failed', { cause: throttled }), Object.assign(new Error('short'), { retryAfterMs: 3 })]
  const naks: string[] = []
  for (const failure of failures) {
    const p = new DeliveryProcessor(TenantConnected, consumerSettings({ durable: 'd', backoffMs: () => 10 }), async () => { throw failure }, silentLogger)
    const { d, calls } = delivery(1)
    await p.process(d)
    naks.push(...calls)
  }
  t.same(naks, ['nak 90000', 'nak 90000', 'nak 10'], 'the longer of the backoff and the asked wait')
})

t.test('settings are checked', async (t) => {
  t.throws(() => consumerSettings({ durable: 'd', maxDeliver: 0 }), /maxDeliver/)
  t.throws(() => consumerSettings({ durable: 'd', ackWaitMs: 10 }), /ackWaitMs/)
  t.match(consumerSettings({ durable: 'd' }), { maxDeliver: 5, concurrency: 1, ackWaitMs: 30_000 })
})

t.test('default backoff: 1 s, 5 s, 30 s, then capped', async (t) => {
  const { defaultBackoff } = await import('../src/index.js')
  t.same([1, 2, 3, 4, 10].map(defaultBackoff), [1_000, 5_000, 30_000, 120_000, 120_000])
})

t.test('the dedupe window forgets ids once it has passed', async (t) => {
  const w = new DedupeWindow(1_000)
  t.equal(w.isDuplicate('a', 0), false)
  t.equal(w.isDuplicate('a', 999), true)
  t.equal(w.isDuplicate('b', 999), false)
  t.equal(w.isDuplicate('a', 1_000), false, 'expired, so new again')
})

t.test('a handler that cannot handle the message yet (RetryLaterError) is retried with backoff and logged at info, not as a failure', async (t) => {
  const lines: Array<{ level: string, msg?: string }> = []
  const log = {
    debug: (_: object, msg?: string) => { lines.push({ level: 'debug', msg }) },
    info: (_: object, msg?: string) => { lines.push({ level: 'info', msg }) },
    warn: (_: object, msg?: string) => { lines.push({ level: 'warn', msg }) },
    error: (_: object, msg?: string) => { lines.push({ level: 'error', msg }) }
  }
  const p = new DeliveryProcessor(TenantConnected, consumerSettings({ durable: 'd', maxDeliver: 2, backoffMs: () => 5 }), async () => {
    throw new RetryLaterError('waiting for the rest of the sync')
  }, log)
  const first = delivery(1)
  await p.process(first.d)
  t.same(first.calls, ['nak 5'], 'redelivered after the backoff')
  t.same(lines, [{ level: 'info', msg: 'not handled yet, retrying' }])
  const last = delivery(2)
  await p.process(last.d)
  t.same(last.calls, ['term'], 'still dead-lettered once maxDeliver is spent')
  t.match(last.letters[0], { errors: ['waiting for the rest of the sync', 'waiting for the rest of the sync'] })
})

t.test('a failing handler is logged once per delivery, with its error: each retry, then the dead letter', async (t) => {
  const lines: Array<{ level: string, obj: object, msg?: string }> = []
  const line = (level: string) => (obj: object, msg?: string) => { lines.push({ level, obj, msg }) }
  const log = { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') }
  const failure = new Error('boom')
  const p = new DeliveryProcessor(TenantConnected, consumerSettings({ durable: 'd', maxDeliver: 2, backoffMs: () => 5 }), async () => {
    throw failure
  }, log)
  await p.process(delivery(1).d)
  t.equal(lines.length, 1)
  t.match(lines[0], { level: 'warn', msg: 'handler failed, retrying', obj: { err: failure, attempt: 1, durable: 'd' } })
  lines.length = 0
  const last = delivery(2)
  await p.process(last.d)
  t.same(last.calls, ['term'])
  t.equal(lines.length, 1)
  t.match(lines[0], { level: 'error', msg: 'message dead-lettered', obj: { err: failure, errors: ['boom', 'boom'], durable: 'd' } })
})
