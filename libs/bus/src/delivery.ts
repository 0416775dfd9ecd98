import { validateEvent, type EventContract } from '@m365/contracts'
import { defaultBackoff } from './backoff.js'
import { AttemptErrors, buildDeadLetter } from './dead-letter.js'
import { errorMessage, retryAfterOf } from './errors.js'
import { PoisonMessageError, RetryLaterError, type ConsumeOptions, type DeadLetter, type EventHandler } from './event-bus.js'
import type { BusLogger } from './logger.js'

/** One delivery of one stored message, as either adapter sees it. */
export interface Delivery {
  /** The message body as received (may be invalid JSON). */
  readonly payload: string
  /** 1 on first delivery. */
  readonly deliveryCount: number
  readonly msgId: string
  /** Identifies the stored message across its deliveries (the stream sequence). */
  readonly key: string
  ack (): Promise<void>
  nak (delayMs: number): void
  term (reason: string): void
  /** Tells the server the handler is still busy (resets the ack wait). */
  working (): void
  /** Stores the dead letter durably; throws when it could not. */
  deadLetter (letter: DeadLetter): Promise<void>
}

/** Whatever handles one delivery to the end (ack, nak or dead letter); never throws. */
export interface MessageProcessor {
  process (d: Delivery): Promise<void>
}

export interface ConsumerSettings {
  durable: string
  maxDeliver: number
  concurrency: number
  ackWaitMs: number
  backoffMs: (attempt: number) => number
}

export function consumerSettings (options: ConsumeOptions): ConsumerSettings {
  const settings = {
    durable: options.durable,
    maxDeliver: options.maxDeliver ?? 5,
    concurrency: options.concurrency ?? 1,
    ackWaitMs: options.ackWaitMs ?? 30_000,
    backoffMs: options.backoffMs ?? defaultBackoff
  }
  if (!Number.isInteger(settings.maxDeliver) || settings.maxDeliver < 1) throw new Error(`maxDeliver must be a positive integer, got ${settings.maxDeliver}`)
  if (!(settings.ackWaitMs >= 100)) throw new Error(`ackWaitMs must be at least 100, got ${settings.ackWaitMs}`)
  return settings
}

/**
 * The consume loop's decisions, shared by both adapters: decode and validate, run the handler
 * with heartbeats, then ack, nak with backoff (or the longer `retryAfterMs` the failure carries), or
 * dead-letter (invalid payload, PoisonMessageError, maxDeliver reached) and term. Never throws.
 */
export class DeliveryProcessor<C extends EventContract> implements MessageProcessor {
  private readonly attempts = new AttemptErrors()

  constructor (
    private readonly contract: C,
    private readonly settings: ConsumerSettings,
    private readonly handler: EventHandler<C>,
    private readonly log: BusLogger
  ) {}

  async process (d: Delivery): Promise<void> {
    const { contract, settings } = this
    if (d.deliveryCount > settings.maxDeliver) {
      // Only reachable when earlier deliveries were never settled (ack wait expired, process died).
      const errors = [...this.attempts.get(d.key), `not acknowledged within ${settings.ackWaitMs} ms`]
      return this.toDeadLetter(d, errors, d.deliveryCount - 1, 'gave up')
    }
    let event
    try {
      event = validateEvent(contract, JSON.parse(d.payload))
    } catch (err) {
      return this.toDeadLetter(d, [`invalid payload: ${errorMessage(err)}`], d.deliveryCount, 'invalid')
    }
    const heartbeat = setInterval(() => d.working(), Math.max(50, Math.floor(settings.ackWaitMs / 2)))
    try {
      await this.handler(event, { deliveryCount: d.deliveryCount, msgId: d.msgId, subject: contract.subject })
    } catch (err) {
      clearInterval(heartbeat)
      const errors = this.attempts.add(d.key, errorMessage(err))
      if (err instanceof PoisonMessageError) return this.toDeadLetter(d, errors, d.deliveryCount, 'poison', err)
      if (d.deliveryCount >= settings.maxDeliver) return this.toDeadLetter(d, errors, d.deliveryCount, 'gave up', err)
      const delayMs = Math.max(settings.backoffMs(d.deliveryCount), retryAfterOf(err))
      const retry = { eventId: event.id, durable: settings.durable, attempt: d.deliveryCount, delayMs }
      if (err instanceof RetryLaterError) this.log.info({ ...retry, reason: err.message }, 'not handled yet, retrying')
      else this.log.warn({ err, ...retry }, 'handler failed, retrying')
      d.nak(delayMs)
      return
    } finally {
      clearInterval(heartbeat)
    }
    this.attempts.forget(d.key)
    try {
      await d.ack()
    } catch (err) {
      // The handler is idempotent: a redelivery after a lost ack changes nothing.
      this.log.warn({ err, eventId: event.id, durable: settings.durable }, 'ack failed, message may be redelivered')
    }
  }

  /** `err`: the handler's failure that ended it, logged with its stack (the bus is the one place a failure is logged) */
  private async toDeadLetter (d: Delivery, errors: string[], deliveries: number, reason: string, err?: unknown): Promise<void> {
    const { contract, settings } = this
    const letter = buildDeadLetter({
      subject: contract.subject, durable: settings.durable, msgId: d.msgId, deliveries, errors, payload: d.payload
    })
    try {
      await d.deadLetter(letter)
    } catch (storeErr) {
      this.log.error({ err: storeErr, msgId: d.msgId, durable: settings.durable }, 'could not store dead letter, will retry')
      d.nak(settings.backoffMs(d.deliveryCount))
      return
    }
    d.term(reason)
    this.attempts.forget(d.key)
    this.log.error({ ...(err === undefined ? {} : { err }), msgId: d.msgId, durable: settings.durable, subject: contract.subject, deliveries, errors }, 'message dead-lettered')
  }
}
