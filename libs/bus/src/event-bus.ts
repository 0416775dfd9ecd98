import type { EventContract, EventOf, ReplyOf, RequestContract, RequestOf } from '@m365/contracts'

export interface PublishOptions {
  /** Overrides the Nats-Msg-Id (defaults to event.id); a repeat within the dedupe window is dropped. */
  msgId?: string
}

export interface ConsumeOptions {
  /** Durable consumer name, `<service>-<subject-with-dashes>`; no dots. Replicas sharing it share the work. */
  durable: string
  /**
   * Deliveries before a message is dead-lettered (default 5): the handler runs at most this many
   * times; a delivery beyond it (earlier ones never acked, e.g. the process died) is dead-lettered unrun.
   */
  maxDeliver?: number
  /** Handlers run at most this many at a time in this process (default 1). */
  concurrency?: number
  /**
   * How long a delivery may stay unacknowledged before it is redelivered (default 30 s). A running
   * handler keeps its message with heartbeats every ackWaitMs / 2, so only a dead process loses it.
   */
  ackWaitMs?: number
  /** Delay before redelivery after a failure, by attempt (1-based); default 1 s, 5 s, 30 s, capped. */
  backoffMs?: (attempt: number) => number
}

export interface DeliveryInfo {
  /** 1 on first delivery */
  deliveryCount: number
  msgId: string
  subject: string
}

export type EventHandler<C extends EventContract> = (event: EventOf<C>, info: DeliveryInfo) => Promise<void>

export interface Subscription {
  /** Stops taking messages, waits for in-flight handlers to finish and ack, then resolves. */
  close(): Promise<void>
}

/** Thrown by a handler when retrying is pointless: the message goes straight to the dead-letter subject. */
export class PoisonMessageError extends Error {
  override readonly name: string = 'PoisonMessageError'
}

/**
 * Thrown by a handler when the message cannot be handled yet but will be once others have arrived (not a
 * failure): it is redelivered after the backoff like a failure, but logged at info, not as a failure.
 */
export class RetryLaterError extends Error {
  override readonly name: string = 'RetryLaterError'
}

/** What a dead-lettered message looks like on `dlq.<subject>`. */
export interface DeadLetter {
  subject: string
  durable: string
  msgId: string
  deliveries: number
  errors: string[]
  /** The original message, as received (may be invalid JSON or fail its contract). */
  payload: string
  deadAt: string
}

export type RequestHandler<C extends RequestContract> = (request: RequestOf<C>) => Promise<ReplyOf<C>>

/** What a durable consumer still has to do (operators, tests, autoscaling on lag). */
export interface ConsumerState {
  /** Stored messages not yet delivered to this durable. */
  pending: number
  /** Delivered but not yet acknowledged (running, or waiting for a redelivery after a failure). */
  ackPending: number
}

/** Both adapters also offer a read-only view of their state; not part of EventBus. */
export interface BusInspector {
  /** undefined when the durable does not exist. */
  consumerState (contract: EventContract, durable: string): Promise<ConsumerState | undefined>
  /** Messages of the contract's subject still stored (a work-queue message goes once acked). */
  storedCount (contract: EventContract): Promise<number>
}

export interface EventBus {
  readonly kind: 'nats' | 'in-process'
  /** Validates against the contract (throws InvalidEventError naming the field) and stores durably before resolving. */
  publish<C extends EventContract>(contract: C, event: EventOf<C>, options?: PublishOptions): Promise<void>
  /** Durable, at-least-once consumption with explicit ack; a handler that throws is retried with backoff. */
  consume<C extends EventContract>(contract: C, options: ConsumeOptions, handler: EventHandler<C>): Promise<Subscription>
  /** Request/reply (NATS core): validated both ways; rejects on timeout or when nobody answers. */
  request<C extends RequestContract>(contract: C, request: RequestOf<C>, options?: { timeoutMs?: number }): Promise<ReplyOf<C>>
  /** Serve a request subject; replicas form a queue group so each request is answered once. */
  serve<C extends RequestContract>(contract: C, handler: RequestHandler<C>): Promise<Subscription>
  /** Dead letters of one subject (oldest first), for operators and tests. */
  deadLetters(subject: string, options?: { limit?: number }): Promise<DeadLetter[]>
  /** Throws when the bus is not usable (readiness). */
  ping(): Promise<void>
  /** Stops every subscription (in-flight handlers finish), flushes, and disconnects. */
  close(): Promise<void>
}
