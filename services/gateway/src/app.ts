import type { FastifyInstance } from 'fastify'
import { serviceKit, type ServiceOptions } from '@m365/service-kit'
import { createTokenVerifier } from './auth/verifier.js'
import { tokenSource, type GatewayConfig } from './config.js'
import upstreams from './plugins/upstreams.js'
import { addSharedSchemas } from './routes/schemas.js'
import v1 from './routes/v1/index.js'
import webhooks from './routes/webhooks.js'

/** db and bus are accepted (the single-process app hands them to every service) and ignored: the gateway holds no data. */
export type GatewayOptions = ServiceOptions<GatewayConfig>

export const OPENAPI_INFO = {
  title: 'm365-insight API',
  version: '1.0.0',
  description: 'Microsoft 365 users, licences and MFA status of an MSP\'s clients, merged with PSA contacts into versioned reports. ' +
    'Bearer JWT: MSP staff (every client, read and write) or a client portal user (one client, read-only). ' +
    'Errors are application/problem+json; lists are cursor-paged (follow nextCursor).'
}

/** The public gateway: authenticates the bearer JWT, authorises, and forwards each route to the service that owns it. */
export default async function gatewayApp (app: FastifyInstance, opts: GatewayOptions): Promise<void> {
  const { config } = opts
  const verify = await createTokenVerifier(tokenSource(config), {
    clockToleranceSeconds: config.JWT_CLOCK_TOLERANCE_SECONDS,
    jwksCooldownMs: config.JWT_JWKS_COOLDOWN_MS,
    jwksCacheMs: config.JWT_JWKS_CACHE_MS,
    claimsCacheEntries: config.JWT_CLAIMS_CACHE_ENTRIES
  })
  await app.register(serviceKit, {
    config,
    service: 'gateway',
    bus: false,
    openapi: {
      ...OPENAPI_INFO,
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      security: [{ bearerAuth: [] }]
    }
  })
  addSharedSchemas(app)
  await app.register(upstreams, { config })
  await app.register(v1, { prefix: '/v1', config, verify })
  await app.register(webhooks, { bodyLimit: config.WEBHOOK_BODY_LIMIT_BYTES })
}
