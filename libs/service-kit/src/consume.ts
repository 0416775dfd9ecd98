import type { FastifyBaseLogger } from 'fastify'
import type { EventContract, EventOf } from '@m365/contracts'
import { PoisonMessageError, RetryLaterError, type ConsumeOptions, type DeliveryInfo, type EventBus, type Subscription } from '@m365/bus'
import type { ServiceMetrics } from './metrics.js'

export interface ConsumerContext extends DeliveryInfo {
  /** Child logger with `{ consumer, eventId }`. */
  log: FastifyBaseLogger
}

export type ConsumerHandler<C extends EventContract> = (event: EventOf<C>, context: ConsumerContext) => Promise<void>

export type Consume = <C extends EventContract>(
  contract: C, options: ConsumeOptions, handler: ConsumerHandler<C>
) => Promise<Subscription>

/**
 * `app.consume`: bus.consume plus metrics, a child logger per message, and a registry of
 * subscriptions that service-kit closes on app close before it closes the bus and the database.
 */
export function createConsumers (bus: EventBus, log: FastifyBaseLogger, metrics: ServiceMetrics) {
  const subscriptions = new Set<Subscription>()
  let closing = false

  const consume: Consume = async (contract, options, handler) => {
    if (closing) throw new Error(`cannot start consumer ${options.durable}: the app is closing`)
    const consumer = options.durable
    const subject = contract.subject
    const subscription = await bus.consume(contract, options, async (event, info) => {
      const child = log.child({ consumer, eventId: event.id })
      const stop = metrics.consumerDuration.startTimer({ consumer, subject })
      metrics.consumerInFlight.inc({ consumer, subject })
      let outcome = 'ack'
      try {
        await handler(event, { ...info, log: child })
      } catch (err) {
        // the bus logs what it does with the failure: the retry, or the dead letter (with the error)
        if (err instanceof RetryLaterError) outcome = 'retry'
        else outcome = err instanceof PoisonMessageError ? 'poison' : 'error' // as the bus decides: dead-lettered at once
        throw err
      } finally {
        metrics.consumerInFlight.dec({ consumer, subject })
        stop({ outcome })
        metrics.consumerMessages.inc({ consumer, subject, outcome })
      }
    })
    let closed: Promise<void> | undefined
    const tracked: Subscription = {
      close: () => {
        closed ??= subscription.close().finally(() => subscriptions.delete(tracked))
        return closed
      }
    }
    subscriptions.add(tracked)
    log.debug({ consumer, subject }, 'consumer started')
    return tracked
  }

  /** Stops every consumer; resolves when their in-flight handlers have finished and acked. */
  async function closeAll (): Promise<void> {
    closing = true
    await Promise.all([...subscriptions].map((subscription) => subscription.close()))
  }

  return { consume, closeAll }
}
