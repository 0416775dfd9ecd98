import type { FastifyInstance } from 'fastify'
import { principalHook } from '@m365/service-kit/principal'
import connectRoutes from './connect.js'
import credentialRoutes from './credentials.js'
import tenantRoutes from './tenants.js'

/**
 * /v1/clients/:clientId/tenants…: only through the gateway (401 without its principal); a client principal reads
 * its own client's tenants, writes nothing (403), and another client's do not exist for it (404).
 */
export default async function clientRoutes (app: FastifyInstance): Promise<void> {
  await app.register(principalHook, { clientParam: 'clientId' })
  await app.register(tenantRoutes)
  await app.register(connectRoutes)
  await app.register(credentialRoutes)
}
