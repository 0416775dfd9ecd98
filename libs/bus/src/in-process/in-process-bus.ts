import { assertValid, type EventContract, type EventOf, type ReplyOf, type RequestContract, type RequestOf, type StreamKind } from '@m365/contracts'
import { consumerSettings, DeliveryProcessor } from '../delivery.js'
import { BusClosedError, EventNotConsumedError } from '../errors.js'
import type {
  BusInspector, ConsumeOptions, ConsumerState, DeadLetter, EventBus, EventHandler, PublishOptions, RequestHandler, Subscription
} from '../event-bus.js'
import { silentLogger, type BusLogger } from '../logger.js'
import { assertDurableName } from '../naming.js'
import { DedupeWindow } from './dedupe.js'
import { InProcessDurable } from './durable.js'
import { InProcessRequests } from './request-reply.js'
import { SubjectLog, type StoredMessage } from './subject-log.js'

export interface InProcessBusOptions {
  log?: BusLogger
  /** Message-id dedupe window (default 2 min), as JetStream's. */
  duplicateWindowMs?: number
  /** Messages held per subject before the oldest are dropped (default 10 000). */
  maxMessagesPerSubject?: number
  /** Dead letters kept per subject (default 1 000, oldest dropped). */
  maxDeadLettersPerSubject?: number
  /**
   * publish() of an event resolves only once every durable that owes it has settled it (acked, or
   * dead-lettered), and throws EventNotConsumedError when they are not consuming or it goes unsettled.
   * Memory is not storage: this is what makes an outbox row marked sent, or a sync's published batch,
   * mean "consumed" rather than "held until the process stops". Jobs (work queues) and events nobody
   * consumes yet resolve at once. Default false.
   */
  publishAwaitsConsumers?: boolean
}

export type InProcessBus = EventBus & BusInspector & {
  /** Stores a payload as received, unvalidated: for tests of the invalid-payload path. */
  publishRaw (contract: EventContract, payload: string, msgId?: string): void
}

/**
 * The bus for the single-process mode: the NATS adapter's semantics in memory (durable named
 * consumers, competing consumers, work queue, dedupe, nak with delay, bounded redelivery, dead
 * letters), without surviving a restart. See SubjectLog for what is retained.
 */
export function createInProcessBus (options: InProcessBusOptions = {}): InProcessBus {
  return new InProcessEventBus(options)
}

class InProcessEventBus implements EventBus, BusInspector {
  readonly kind = 'in-process' as const
  private readonly log: BusLogger
  private readonly logs = new Map<string, SubjectLog>()
  private readonly durables = new Map<string, InProcessDurable>()
  private readonly dedupe: Record<StreamKind, DedupeWindow>
  private readonly dead = new Map<string, DeadLetter[]>()
  private readonly requests = new InProcessRequests()
  private readonly subscriptions = new Set<Subscription>()
  private closed = false

  constructor (private readonly options: InProcessBusOptions) {
    this.log = options.log ?? silentLogger
    const windowMs = options.duplicateWindowMs ?? 120_000
    this.dedupe = { events: new DedupeWindow(windowMs), jobs: new DedupeWindow(windowMs) }
  }

  async publish<C extends EventContract> (contract: C, event: EventOf<C>, options: PublishOptions = {}): Promise<void> {
    this.assertOpen('publish')
    assertValid(contract, event)
    const msgId = options.msgId ?? event.id
    const message = this.append(contract, JSON.stringify(event), msgId)
    if (this.options.publishAwaitsConsumers && contract.stream === 'events') await this.consumed(contract, message ?? msgId)
  }

  publishRaw (contract: EventContract, payload: string, msgId?: string): void {
    this.append(contract, payload, msgId)
  }

  /** Stores the message (undefined for a repeat within the dedupe window) and wakes its durables. */
  private append (contract: EventContract, payload: string, msgId: string | undefined): StoredMessage | undefined {
    this.assertOpen('publish')
    if (msgId !== undefined && this.dedupe[contract.stream].isDuplicate(msgId)) return undefined
    const log = this.subjectLog(contract)
    const message = log.append(msgId, payload)
    for (const d of this.durables.values()) if (d.log === log) d.pump()
    return message
  }

  /** publishAwaitsConsumers: waits for the durables owing the message (a repeat of one still held waits for it). */
  private async consumed (contract: EventContract, stored: StoredMessage | string): Promise<void> {
    const log = this.logs.get(contract.subject)
    const message = typeof stored === 'string' ? log?.held(stored) : stored
    if (!log || !message || message.owed.size === 0) return
    const consuming = [...message.owed].every((name) => this.durables.get(`${contract.stream}/${name}`)?.active)
    if (!consuming || !await log.whenSettled(message.seq)) throw new EventNotConsumedError(contract.subject, message.msgId)
  }

  async consume<C extends EventContract> (contract: C, options: ConsumeOptions, handler: EventHandler<C>): Promise<Subscription> {
    this.assertOpen('consume')
    assertDurableName(options.durable)
    const settings = consumerSettings(options)
    const durable = this.durable(contract, settings.durable)
    const processor = new DeliveryProcessor(contract, settings, handler, this.log)
    return this.track(durable.subscribe(processor, settings.concurrency))
  }

  async request<C extends RequestContract> (contract: C, request: RequestOf<C>, options: { timeoutMs?: number } = {}): Promise<ReplyOf<C>> {
    this.assertOpen('request')
    return this.requests.request(contract, request, options.timeoutMs ?? 5_000)
  }

  async serve<C extends RequestContract> (contract: C, handler: RequestHandler<C>): Promise<Subscription> {
    this.assertOpen('serve')
    return this.track(this.requests.serve(contract, handler))
  }

  async deadLetters (subject: string, options: { limit?: number } = {}): Promise<DeadLetter[]> {
    this.assertOpen('deadLetters')
    return (this.dead.get(subject) ?? []).slice(0, options.limit ?? 100).map((l) => ({ ...l, errors: [...l.errors] }))
  }

  async ping (): Promise<void> {
    this.assertOpen('ping')
  }

  async close (): Promise<void> {
    if (this.closed) return
    this.closed = true
    await Promise.all([...this.subscriptions].map((s) => s.close()))
    for (const d of this.durables.values()) d.stop()
    for (const log of this.logs.values()) log.abandonAll()
  }

  async consumerState (contract: EventContract, durable: string): Promise<ConsumerState | undefined> {
    const d = this.durables.get(`${contract.stream}/${durable}`)
    return d?.log.subject === contract.subject ? d.state() : undefined
  }

  async storedCount (contract: EventContract): Promise<number> {
    return this.logs.get(contract.subject)?.size ?? 0
  }

  private subjectLog (contract: EventContract): SubjectLog {
    let log = this.logs.get(contract.subject)
    if (!log) {
      log = new SubjectLog(contract.subject, contract.stream, this.options.maxMessagesPerSubject ?? 10_000, (m) => {
        this.log.warn({ subject: contract.subject, msgId: m.msgId }, 'in-process bus full, oldest message dropped')
      })
      this.logs.set(contract.subject, log)
    }
    return log
  }

  /** Durables are per stream, as in JetStream; one name consumes one subject. */
  private durable (contract: EventContract, name: string): InProcessDurable {
    const key = `${contract.stream}/${name}`
    const existing = this.durables.get(key)
    if (existing) {
      if (existing.log.subject !== contract.subject) {
        throw new Error(`durable ${name} already consumes ${existing.log.subject}, not ${contract.subject}`)
      }
      return existing
    }
    const durable = new InProcessDurable(name, this.subjectLog(contract), (letter) => this.storeDeadLetter(letter))
    this.durables.set(key, durable)
    return durable
  }

  private storeDeadLetter (letter: DeadLetter): void {
    const letters = this.dead.get(letter.subject) ?? []
    letters.push(letter)
    letters.splice(0, Math.max(0, letters.length - (this.options.maxDeadLettersPerSubject ?? 1_000)))
    this.dead.set(letter.subject, letters)
  }

  private track (sub: Subscription): Subscription {
    this.subscriptions.add(sub)
    return {
      close: async () => {
        await sub.close()
        this.subscriptions.delete(sub)
      }
    }
  }

  private assertOpen (what: string): void {
    if (this.closed) throw new BusClosedError(what)
  }
}
