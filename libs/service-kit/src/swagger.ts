import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'

export interface OpenApiOptions {
  title: string
  version?: string
  description?: string
  /** e.g. { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } */
  securitySchemes?: Record<string, unknown>
  /** applied to every operation unless a route overrides it */
  security?: Array<Record<string, string[]>>
}

/**
 * OpenAPI from route schemas alone: only tagged routes are documented (health, metrics and
 * internals stay out); served at /openapi.json, and the UI at /docs.
 * @see https://github.com/fastify/fastify-swagger
 */
export async function registerOpenApi (app: FastifyInstance, options: OpenApiOptions): Promise<void> {
  await app.register(swagger, {
    hideUntagged: true,
    openapi: {
      openapi: '3.0.3',
      info: { title: options.title, version: options.version ?? '1.0.0', ...(options.description && { description: options.description }) },
      ...(options.securitySchemes && { components: { securitySchemes: options.securitySchemes as never } }),
      ...(options.security && { security: options.security })
    },
    // shared schemas (app.addSchema) appear in components under their $id, not def-0, def-1 …: client generators name types after them
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => typeof json.$id === 'string' && /^[A-Za-z][\w.-]*$/.test(json.$id) ? json.$id : `def-${i}`
    }
  })
  await app.register(swaggerUi, { routePrefix: '/docs' })
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
}
