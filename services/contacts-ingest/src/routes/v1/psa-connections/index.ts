import type { FastifyInstance } from 'fastify'
import backfills from './backfills.js'
import companies from './companies.js'
import connections from './connections.js'
import mspOnly from './msp-only.js'
import secret from './secret.js'

/** /v1/psa-connections: encapsulated, so the MSP-only hook applies to these routes alone. */
export default async function psaConnectionRoutes (app: FastifyInstance): Promise<void> {
  await app.register(mspOnly)
  await app.register(connections)
  await app.register(secret)
  await app.register(companies)
  await app.register(backfills)
}
