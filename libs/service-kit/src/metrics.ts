import type { FastifyInstance } from 'fastify'
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'

export interface ServiceMetrics {
  /** This app's registry: add service metrics with `registers: [app.metrics.registry]`. */
  registry: Registry
  httpRequests: Counter<'method' | 'route' | 'status_code'>
  httpDuration: Histogram<'method' | 'route' | 'status_code'>
  consumerMessages: Counter<'consumer' | 'subject' | 'outcome'>
  consumerDuration: Histogram<'consumer' | 'subject' | 'outcome'>
  consumerInFlight: Gauge<'consumer' | 'subject'>
}

/**
 * A registry per app, never prom-client's global one: in the single-process mode several apps share
 * the process, and each must serve only its own metrics (labelled with its service name).
 * @see https://github.com/siimon/prom-client#registry
 */
export function createServiceMetrics (service: string): ServiceMetrics {
  const registry = new Registry()
  registry.setDefaultLabels({ service })
  collectDefaultMetrics({ register: registry })
  const registers = [registry]
  return {
    registry,
    httpRequests: new Counter({
      name: 'http_requests_total', help: 'HTTP requests answered', labelNames: ['method', 'route', 'status_code'], registers
    }),
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time to answer an HTTP request',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers
    }),
    consumerMessages: new Counter({
      name: 'bus_consumer_messages_total',
      help: 'Messages handled by a consumer, by outcome (ack, retry: not handled yet, error, poison)',
      labelNames: ['consumer', 'subject', 'outcome'],
      registers
    }),
    consumerDuration: new Histogram({
      name: 'bus_consumer_handler_duration_seconds',
      help: 'Time a consumer handler ran',
      labelNames: ['consumer', 'subject', 'outcome'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers
    }),
    consumerInFlight: new Gauge({
      name: 'bus_consumer_in_flight', help: 'Handlers running now', labelNames: ['consumer', 'subject'], registers
    })
  }
}

/** Counts and times every request by route pattern (never the raw URL: ids would explode cardinality). */
export function instrumentHttp (app: FastifyInstance, metrics: ServiceMetrics): void {
  app.addHook('onResponse', async (request, reply) => {
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status_code: String(reply.statusCode)
    }
    metrics.httpRequests.inc(labels)
    metrics.httpDuration.observe(labels, reply.elapsedTime / 1000)
  })
}

export function metricsRoute (app: FastifyInstance, registry: Registry): void {
  app.get('/metrics', { schema: { hide: true }, logLevel: 'warn' }, async (_request, reply) => {
    return reply.type(registry.contentType).send(await registry.metrics())
  })
}
