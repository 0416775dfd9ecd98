import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { TenantAuthConfig } from '../config.js'
import { createKeyRing, previousKeys, type KeyRing } from '../crypto/key-ring.js'

declare module 'fastify' {
  interface FastifyInstance { keyRing: KeyRing }
}

export default fp(async (app: FastifyInstance, { config }: { config: TenantAuthConfig }) => {
  app.decorate('keyRing', createKeyRing(config.ENCRYPTION_KEY, previousKeys(config.ENCRYPTION_KEYS_PREVIOUS)))
}, { name: 'key-ring' })
