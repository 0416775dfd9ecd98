import type { FastifyInstance } from 'fastify'
import { TenantDisconnected } from '@m365/contracts'
import { handleTenantEvent } from '../read-model/tenants.js'

export default async function (app: FastifyInstance): Promise<void> {
  await app.consume(TenantDisconnected, { durable: 'report-tenant-disconnected' }, async (event) => { await handleTenantEvent(app.db, event) })
}
