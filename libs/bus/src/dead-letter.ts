import type { DeadLetter } from './event-bus.js'

export interface DeadLetterInput {
  subject: string
  durable: string
  msgId: string
  deliveries: number
  errors: string[]
  payload: string
}

export function buildDeadLetter (input: DeadLetterInput): DeadLetter {
  return { ...input, errors: [...input.errors], deadAt: new Date().toISOString() }
}

/**
 * Errors of the deliveries of one message, so its dead letter can tell the whole story.
 * Kept in memory by the consuming process only (deliveries on another replica are not seen),
 * bounded to `max` messages: the oldest entries go first.
 */
export class AttemptErrors {
  private readonly byKey = new Map<string, string[]>()
  constructor (private readonly max = 1_000) {}

  add (key: string, error: string): string[] {
    const errors = this.byKey.get(key) ?? []
    errors.push(error)
    this.byKey.delete(key)
    this.byKey.set(key, errors)
    while (this.byKey.size > this.max) {
      const oldest = this.byKey.keys().next().value as string
      this.byKey.delete(oldest)
    }
    return errors
  }

  get (key: string): string[] {
    return this.byKey.get(key) ?? []
  }

  forget (key: string): void {
    this.byKey.delete(key)
  }
}
