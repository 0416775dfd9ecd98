import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Counter } from 'prom-client'

declare module 'fastify' {
  interface FastifyInstance {
    ingestMetrics: {
      /** webhooks that reached verification, by PSA and result (accepted, duplicate, not_verified, invalid_payload, key_unavailable) */
      webhooks: Counter<'psa' | 'result'>
      /** delivery processing attempts by PSA and result (processed, retry, failed) */
      deliveries: Counter<'psa' | 'result'>
    }
  }
}

/** The service's own metrics, on its registry (served at /metrics by service-kit). */
export default fp(async (app: FastifyInstance) => {
  const registers = [app.metrics.registry]
  app.decorate('ingestMetrics', {
    webhooks: new Counter({ name: 'contacts_ingest_webhooks_total', help: 'Webhooks by PSA and result', labelNames: ['psa', 'result'], registers }),
    deliveries: new Counter({
      name: 'contacts_ingest_deliveries_total', help: 'Delivery processing attempts by PSA and result', labelNames: ['psa', 'result'], registers
    })
  })
}, { name: 'contacts-ingest-metrics', dependencies: ['service-kit'] })
