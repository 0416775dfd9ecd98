import type { FastifyInstance } from 'fastify'
import { principalHook } from '@m365/service-kit/principal'
import backfills from './backfills.js'
import companies from './companies.js'
import deliveries from './deliveries.js'
import connections from './connections.js'
import secret from './secret.js'

/**
 * /v1/psa-connections: encapsulated, so the principal hook applies to these routes alone. PSA connections belong to
 * the MSP, not to one client: only MSP staff may use them (403), and only through the gateway (401).
 */
export default async function psaConnectionRoutes (app: FastifyInstance): Promise<void> {
  await app.register(principalHook, { clients: 'none' })
  await app.register(connections)
  await app.register(secret)
  await app.register(companies)
  await app.register(backfills)
  await app.register(deliveries)
}
