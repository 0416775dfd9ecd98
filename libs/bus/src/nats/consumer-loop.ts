import { AckPolicy, DeliverPolicy, nanos, type Consumer, type ConsumerMessages, type JetStreamClient, type JetStreamManager, type JsMsg } from 'nats'
import type { DeadLetter, Subscription } from '../event-bus.js'
import type { ConsumerSettings, Delivery, MessageProcessor } from '../delivery.js'
import { Gate, pause, signal } from '../gate.js'
import type { BusLogger } from '../logger.js'

export interface ConsumerLoopDeps {
  js: JetStreamClient
  jsm: JetStreamManager
  stream: string
  wireSubject: string
  settings: ConsumerSettings
  processor: MessageProcessor
  log: BusLogger
  /** Re-creates the streams when the server lost them. */
  ensureStreams: () => Promise<void>
  deadLetter: (letter: DeadLetter, dedupeId: string) => Promise<void>
}

/** A pull request waits this long for messages before the loop issues the next one. */
const FETCH_EXPIRES_MS = 5_000

/**
 * Creates or updates the durable. max_deliver stays unlimited on the server: the bound is
 * enforced by DeliveryProcessor on every delivery, so a message whose dead letter could not be
 * stored is retried instead of being silently parked by the server.
 */
export async function ensureConsumer (deps: Pick<ConsumerLoopDeps, 'jsm' | 'stream' | 'wireSubject' | 'settings'>): Promise<void> {
  const { jsm, stream, wireSubject, settings } = deps
  await jsm.consumers.add(stream, {
    durable_name: settings.durable,
    filter_subject: wireSubject,
    ack_policy: AckPolicy.Explicit,
    ack_wait: nanos(settings.ackWaitMs),
    deliver_policy: DeliverPolicy.All,
    max_deliver: -1
  })
}

/**
 * The pull loop of one subscription. It fetches only as many messages as it has free handler
 * slots (rather than `consume()`, which prefetches): a message never waits in a local buffer
 * while its ack wait runs out, which matters for minutes-long sync jobs. Any failure (server
 * restart, consumer or stream gone) is logged and the loop re-creates what it needs and goes on.
 */
export class NatsConsumerLoop implements Subscription {
  private readonly gate: Gate
  private readonly stop = signal()
  private batch: ConsumerMessages | undefined
  private readonly done: Promise<void>

  constructor (private readonly deps: ConsumerLoopDeps, private consumer: Consumer | undefined) {
    this.gate = new Gate(deps.settings.concurrency)
    this.done = this.run()
  }

  async close (): Promise<void> {
    this.stop.fire()
    this.batch?.stop()
    await this.done
    await this.gate.idle()
  }

  private async run (): Promise<void> {
    const { log, settings } = this.deps
    let failures = 0
    while (!this.stop.fired()) {
      await Promise.race([this.gate.slot(), this.stop.promise])
      if (this.stop.fired()) break
      try {
        this.consumer ??= await this.recreate()
        await this.fetchOnce(this.consumer)
        failures = 0
      } catch (err) {
        if (this.stop.fired()) break
        failures++
        this.consumer = undefined
        log.warn({ err, durable: settings.durable, attempt: failures }, 'consume loop failed, re-creating it')
        await pause(Math.min(250 * 2 ** (failures - 1), 5_000), this.stop.promise)
      }
    }
  }

  private async fetchOnce (consumer: Consumer): Promise<void> {
    const started = Date.now()
    const batch = await consumer.fetch({ max_messages: this.gate.free, expires: FETCH_EXPIRES_MS })
    this.batch = batch
    if (this.stop.fired()) batch.stop()
    let received = 0
    try {
      for await (const m of batch) {
        received++
        if (this.stop.fired()) {
          m.nak() // closing: hand it to another replica now rather than after the ack wait
          continue
        }
        this.gate.run(() => this.deps.processor.process(this.delivery(m)))
      }
    } finally {
      this.batch = undefined
    }
    // A pull that ends at once with nothing (e.g. while reconnecting) must not spin.
    if (received === 0 && Date.now() - started < 100) await pause(250, this.stop.promise)
  }

  private async recreate (): Promise<Consumer> {
    const { js, stream, settings } = this.deps
    try {
      await ensureConsumer(this.deps)
    } catch {
      await this.deps.ensureStreams()
      await ensureConsumer(this.deps)
    }
    return js.consumers.get(stream, settings.durable)
  }

  private delivery (m: JsMsg): Delivery {
    const msgId = m.headers?.get('Nats-Msg-Id') || `seq-${m.seq}`
    return {
      payload: m.string(),
      deliveryCount: m.info.deliveryCount,
      msgId,
      key: String(m.seq),
      ack: async () => { await m.ackAck() },
      nak: (delayMs) => m.nak(delayMs),
      term: () => m.term(), // no reason: nats-server 2.9 only knows a bare +TERM
      working: () => m.working(),
      deadLetter: (letter) => this.deps.deadLetter(letter, `dlq-${this.deps.settings.durable}-${m.seq}`)
    }
  }
}
