import { connect, type JetStreamClient, type JetStreamManager, type NatsConnection, type NatsError } from 'nats'
import { allEvents, assertValid, type EventContract, type EventOf, type ReplyOf, type RequestContract, type RequestOf } from '@m365/contracts'
import { consumerSettings, DeliveryProcessor } from '../delivery.js'
import { BusClosedError } from '../errors.js'
import { atMost } from '../gate.js'
import type {
  BusInspector, ConsumeOptions, ConsumerState, DeadLetter, EventBus, EventHandler, PublishOptions, RequestHandler, Subscription
} from '../event-bus.js'
import { silentLogger, type BusLogger } from '../logger.js'
import { assertDurableName, createNaming, type Naming } from '../naming.js'
import { ensureConsumer, NatsConsumerLoop } from './consumer-loop.js'
import { publishDeadLetter, readDeadLetters } from './dead-letters.js'
import { natsRequest, natsServe } from './request-reply.js'
import { defaultLimits, NatsStreams } from './streams.js'

export interface NatsBusOptions {
  url: string
  /** Prefix for subjects and stream names (letters, digits, _ and -); empty for plain names. */
  namespace?: string
  log?: BusLogger
  /** Nats-Msg-Id dedupe window (default 2 min). */
  duplicateWindowMs?: number
  /** History kept by the events stream (default 7 days). */
  eventsMaxAgeMs?: number
  /** Contracts whose subjects the streams hold from the start (default: the whole catalog). */
  contracts?: readonly EventContract[]
  /** Connection name shown by the server (e.g. the service name). */
  name?: string
}

export type NatsBus = EventBus & BusInspector & { readonly naming: Naming, readonly connection: NatsConnection }

/** @see https://github.com/nats-io/nats.js/tree/main/jetstream JetStream streams, pull consumers, msgID dedupe. */
export async function createNatsBus (options: NatsBusOptions): Promise<NatsBus> {
  const log = options.log ?? silentLogger
  const naming = createNaming(options.namespace)
  let nc: NatsConnection
  try {
    nc = await connect({ servers: options.url, name: options.name, maxReconnectAttempts: -1, reconnectTimeWait: 1_000 })
  } catch (err) {
    throw new Error(`cannot connect to NATS at ${withoutCredentials(options.url)}: ${(err as Error).message}`)
  }
  try {
    const jsm = await nc.jetstreamManager()
    const streams = new NatsStreams(jsm, naming, {
      ...defaultLimits,
      ...(options.duplicateWindowMs !== undefined && { duplicateWindowMs: options.duplicateWindowMs }),
      ...(options.eventsMaxAgeMs !== undefined && { eventsMaxAgeMs: options.eventsMaxAgeMs })
    })
    const contracts = options.contracts ?? allEvents
    await streams.ensureAll(contracts)
    return new NatsEventBus(nc, jsm, nc.jetstream(), streams, naming, () => streams.ensureAll(contracts), log)
  } catch (err) {
    await nc.close()
    throw err
  }
}

/**
 * NATS_URL as it can be logged: the user info of each URL (comma-separated) becomes `***`, since it is a
 * user and password or, alone, a token (`nats://user:pass@host` → `nats://***@host`).
 */
function withoutCredentials (urls: string): string {
  return urls.replace(/\/\/[^/@,]*@/g, '//***@')
}

class NatsEventBus implements EventBus, BusInspector {
  readonly kind = 'nats' as const
  private readonly subscriptions = new Set<Subscription>()
  private closed = false

  constructor (
    readonly connection: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly js: JetStreamClient,
    private readonly streams: NatsStreams,
    readonly naming: Naming,
    private readonly ensureStreams: () => Promise<void>,
    private readonly log: BusLogger
  ) {}

  async publish<C extends EventContract> (contract: C, event: EventOf<C>, options: PublishOptions = {}): Promise<void> {
    this.assertOpen('publish')
    assertValid(contract, event)
    await this.streams.ensureSubject(contract)
    const send = () => this.js.publish(this.naming.subject(contract.subject), JSON.stringify(event), { msgID: options.msgId ?? event.id })
    try {
      await send()
    } catch (err) {
      // 503: no stream holds the subject (the server lost its state): re-create and retry once.
      if ((err as NatsError).code !== '503') throw err
      await this.ensureStreams()
      await send()
    }
  }

  async consume<C extends EventContract> (contract: C, options: ConsumeOptions, handler: EventHandler<C>): Promise<Subscription> {
    this.assertOpen('consume')
    assertDurableName(options.durable)
    const settings = consumerSettings(options)
    await this.streams.ensureSubject(contract)
    const deps = {
      js: this.js,
      jsm: this.jsm,
      stream: this.streams.streamOf(contract.stream),
      wireSubject: this.naming.subject(contract.subject),
      settings,
      processor: new DeliveryProcessor(contract, settings, handler, this.log),
      log: this.log,
      ensureStreams: this.ensureStreams,
      deadLetter: (letter: DeadLetter, id: string) => publishDeadLetter(this.js, this.naming, letter, id)
    }
    try {
      await ensureConsumer(deps)
    } catch (err) {
      throw new Error(`cannot create consumer ${options.durable} on ${contract.subject}: ${(err as Error).message}`)
    }
    const loop = new NatsConsumerLoop(deps, await this.js.consumers.get(deps.stream, settings.durable))
    return this.track(loop)
  }

  async request<C extends RequestContract> (contract: C, request: RequestOf<C>, options: { timeoutMs?: number } = {}): Promise<ReplyOf<C>> {
    this.assertOpen('request')
    return natsRequest(this.connection, this.naming.subject(contract.subject), contract, request, options.timeoutMs ?? 5_000)
  }

  async serve<C extends RequestContract> (contract: C, handler: RequestHandler<C>): Promise<Subscription> {
    this.assertOpen('serve')
    const sub = this.track(natsServe(this.connection, this.naming.subject(contract.subject), contract, handler, this.log))
    await this.connection.flush() // the server knows the subscription before serve() resolves
    return sub
  }

  async deadLetters (subject: string, options: { limit?: number } = {}): Promise<DeadLetter[]> {
    this.assertOpen('deadLetters')
    return readDeadLetters(this.js, this.jsm, this.naming, subject, options.limit ?? 100)
  }

  async ping (): Promise<void> {
    this.assertOpen('ping')
    await this.connection.flush()
    await this.jsm.getAccountInfo()
  }

  async close (): Promise<void> {
    if (this.closed) return
    this.closed = true
    await Promise.all([...this.subscriptions].map((s) => s.close()))
    // drain() needs the server; when it is unreachable, close without flushing after a while.
    if (!this.connection.isClosed() && !(await atMost(this.connection.drain(), 10_000))) {
      this.log.warn({}, 'NATS drain timed out, closing the connection')
      await this.connection.close()
    }
  }

  async consumerState (contract: EventContract, durable: string): Promise<ConsumerState | undefined> {
    try {
      const info = await this.jsm.consumers.info(this.streams.streamOf(contract.stream), durable)
      return { pending: info.num_pending, ackPending: info.num_ack_pending }
    } catch (err) {
      if ((err as NatsError).api_error?.err_code === 10014) return undefined // consumer not found
      throw err
    }
  }

  async storedCount (contract: EventContract): Promise<number> {
    const wire = this.naming.subject(contract.subject)
    const info = await this.jsm.streams.info(this.streams.streamOf(contract.stream), { subjects_filter: wire })
    return info.state.subjects?.[wire] ?? 0
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
