import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { keyRingFromConfig, type KeyRing } from '@m365/service-kit'
import type { TenantAuthConfig } from '../config.js'

declare module 'fastify' {
  interface FastifyInstance { keyRing: KeyRing }
}

export default fp(async (app: FastifyInstance, { config }: { config: TenantAuthConfig }) => {
  app.decorate('keyRing', keyRingFromConfig(config))
}, { name: 'key-ring' })
