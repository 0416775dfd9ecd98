import type { FastifyInstance } from 'fastify'
import { TenantConnected } from '@m365/contracts'
import { handleTenantEvent } from '../read-model/tenants.js'

export default async function (app: FastifyInstance): Promise<void> {
  await app.consume(TenantConnected, { durable: 'report-tenant-connected' }, async (event) => { await handleTenantEvent(app.db, event) })
}
