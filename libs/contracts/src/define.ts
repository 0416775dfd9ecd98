import { randomUUID } from 'node:crypto'
import { Type, type Static, type TObject, type TSchema } from '@sinclair/typebox'
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler'

/** JetStream stream an event lives in: `events` keeps history for many consumers, `jobs` is a work queue. */
export type StreamKind = 'events' | 'jobs'

export interface EventContract<S extends string = string, D extends TObject = TObject> {
  readonly kind: 'event'
  readonly subject: S
  readonly version: number
  readonly stream: StreamKind
  readonly data: D
  readonly envelope: TObject
  readonly check: TypeCheck<TObject>
}

export type EventData<C extends EventContract> = Static<C['data']>

export interface EventEnvelope<D = unknown> {
  /** Unique per logical event; used as the Nats-Msg-Id so a republished event is dropped as a duplicate. */
  id: string
  subject: string
  version: number
  occurredAt: string
  data: D
}

export type EventOf<C extends EventContract> = EventEnvelope<EventData<C>>

export class InvalidEventError extends Error {
  readonly code = 'INVALID_EVENT'
  constructor (readonly subject: string, readonly field: string, readonly reason: string) {
    super(`invalid ${subject} event: ${field || '(root)'} ${reason}`)
    this.name = 'InvalidEventError'
  }
}

export function defineEvent<S extends string, D extends TObject> (
  subject: S, version: number, data: D, stream: StreamKind = 'events'
): EventContract<S, D> {
  const envelope = Type.Object({
    id: Type.String({ minLength: 1, maxLength: 200 }),
    subject: Type.Literal(subject),
    version: Type.Literal(version),
    occurredAt: Type.String({ format: 'date-time' }),
    data
  }, { $id: `${subject}.v${version}` })
  return { kind: 'event', subject, version, stream, data, envelope, check: TypeCompiler.Compile(envelope) }
}

/** Throws InvalidEventError naming the first offending field (a JSON pointer such as /data/users/0/mail). */
export function assertValid (contract: { subject: string, check: TypeCheck<TSchema> }, value: unknown): void {
  if (contract.check.Check(value)) return
  const first = contract.check.Errors(value).First()
  throw new InvalidEventError(contract.subject, first?.path ?? '', first?.message ?? 'is invalid')
}

export function validateEvent<C extends EventContract> (contract: C, value: unknown): EventOf<C> {
  assertValid(contract, value)
  return value as EventOf<C>
}

export interface RequestContract<S extends string = string, Q extends TSchema = TSchema, R extends TSchema = TSchema> {
  readonly kind: 'request'
  readonly subject: S
  readonly version: number
  readonly request: Q
  readonly reply: R
  readonly checkRequest: TypeCheck<Q>
  readonly checkReply: TypeCheck<R>
}

export type RequestOf<C extends RequestContract> = Static<C['request']>
export type ReplyOf<C extends RequestContract> = Static<C['reply']>

export function defineRequest<S extends string, Q extends TSchema, R extends TSchema> (
  subject: S, version: number, request: Q, reply: R
): RequestContract<S, Q, R> {
  return {
    kind: 'request',
    subject,
    version,
    request,
    reply,
    checkRequest: TypeCompiler.Compile(request),
    checkReply: TypeCompiler.Compile(reply)
  }
}

export function validateRequest<C extends RequestContract> (contract: C, value: unknown): RequestOf<C> {
  assertValid({ subject: contract.subject, check: contract.checkRequest }, value)
  return value as RequestOf<C>
}

export function validateReply<C extends RequestContract> (contract: C, value: unknown): ReplyOf<C> {
  assertValid({ subject: `${contract.subject} reply`, check: contract.checkReply }, value)
  return value as ReplyOf<C>
}

/** Wraps data in an envelope. Pass a deterministic `id` when a retry must be recognised as the same event. */
export function createEvent<C extends EventContract> (
  contract: C, data: EventData<C>, options: { id?: string, occurredAt?: Date } = {}
): EventOf<C> {
  const event: EventOf<C> = {
    id: options.id ?? randomUUID(),
    subject: contract.subject,
    version: contract.version,
    occurredAt: (options.occurredAt ?? new Date()).toISOString(),
    data
  }
  return validateEvent(contract, event)
}
