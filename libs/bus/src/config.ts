import type { EventBus } from './event-bus.js'
import { createInProcessBus } from './in-process/in-process-bus.js'
import type { BusLogger } from './logger.js'
import { createNatsBus } from './nats/nats-bus.js'

export interface BusConfig {
  /** Set: the NATS JetStream adapter. Unset or empty: the in-process bus (single-process mode). */
  NATS_URL?: string
  /** Prefix for streams and subjects (tests, parallel developers on one server). */
  BUS_NAMESPACE?: string
  log?: BusLogger
  /** Connection name shown by nats-server, e.g. the service name. */
  name?: string
  /** The in-process bus only: see InProcessBusOptions.publishAwaitsConsumers. */
  publishAwaitsConsumers?: boolean
}

export async function createBusFromConfig (config: BusConfig): Promise<EventBus> {
  if (config.NATS_URL) {
    return createNatsBus({ url: config.NATS_URL, namespace: config.BUS_NAMESPACE, log: config.log, name: config.name })
  }
  return createInProcessBus({ log: config.log, publishAwaitsConsumers: config.publishAwaitsConsumers })
}
