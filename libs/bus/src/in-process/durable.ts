import type { Delivery, MessageProcessor } from '../delivery.js'
import type { ConsumerState, DeadLetter, Subscription } from '../event-bus.js'
import { Gate } from '../gate.js'
import type { StoredMessage, SubjectLog } from './subject-log.js'

interface Subscriber {
  readonly gate: Gate
  readonly processor: MessageProcessor
  closing: boolean
}

/**
 * One durable consumer in memory: its position in the subject log, the messages waiting for a
 * redelivery, and the subscriptions sharing it (each message goes to one of them, round robin).
 * A running handler is known to be alive, so there is no ack wait here: a message is only
 * redelivered after its handler failed.
 */
export class InProcessDurable {
  private cursor = 1
  private ready: number[] = []
  /** Deliveries so far of each delivered, unsettled message. */
  private readonly counts = new Map<number, number>()
  private readonly timers = new Set<NodeJS.Timeout>()
  private subscribers: Subscriber[] = []
  private turn = 0

  constructor (
    readonly name: string,
    readonly log: SubjectLog,
    private readonly storeDeadLetter: (letter: DeadLetter) => void
  ) {
    log.register(name)
  }

  subscribe (processor: Subscriber['processor'], concurrency: number): Subscription {
    const sub: Subscriber = { gate: new Gate(concurrency), processor, closing: false }
    this.subscribers.push(sub)
    this.pump()
    return {
      close: async () => {
        sub.closing = true
        this.subscribers = this.subscribers.filter((s) => s !== sub)
        await sub.gate.idle()
        if (!this.active) this.log.abandon(this.name)
      }
    }
  }

  /** Hands out messages while some subscriber has a free slot. */
  pump (): void {
    for (;;) {
      const sub = this.nextSubscriber()
      if (!sub) return
      const message = this.take()
      if (!message) return
      const count = (this.counts.get(message.seq) ?? 0) + 1
      this.counts.set(message.seq, count)
      sub.gate.run(() => sub.processor.process(this.delivery(message, count)), () => this.pump())
    }
  }

  /** Some subscription is consuming. */
  get active (): boolean {
    return this.subscribers.length > 0
  }

  state (): ConsumerState {
    return { pending: this.log.countOwed(this.name, this.cursor), ackPending: this.counts.size }
  }

  stop (): void {
    for (const t of this.timers) clearTimeout(t)
    this.timers.clear()
  }

  private nextSubscriber (): Subscriber | undefined {
    for (let i = 0; i < this.subscribers.length; i++) {
      const sub = this.subscribers[(this.turn + i) % this.subscribers.length] as Subscriber
      if (!sub.closing && sub.gate.free > 0) {
        this.turn = (this.turn + i + 1) % this.subscribers.length
        return sub
      }
    }
    return undefined
  }

  private take (): StoredMessage | undefined {
    while (this.ready.length > 0) {
      const m = this.log.get(this.ready.shift() as number)
      if (m?.owed.has(this.name)) return m
    }
    for (let m = this.log.next(this.cursor); m; m = this.log.next(this.cursor)) {
      this.cursor = m.seq + 1
      if (m.owed.has(this.name)) return m
    }
    return undefined
  }

  private settle (seq: number): void {
    this.counts.delete(seq)
    this.log.settle(seq, this.name)
  }

  private delivery (m: StoredMessage, deliveryCount: number): Delivery {
    return {
      payload: m.payload,
      deliveryCount,
      msgId: m.msgId,
      key: String(m.seq),
      ack: async () => this.settle(m.seq),
      nak: (delayMs) => {
        const timer = setTimeout(() => {
          this.timers.delete(timer)
          this.ready.push(m.seq)
          this.pump()
        }, delayMs)
        this.timers.add(timer)
      },
      term: () => this.settle(m.seq),
      working: () => {},
      deadLetter: async (letter) => this.storeDeadLetter(letter)
    }
  }
}
