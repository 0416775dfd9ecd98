import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { SecretRotate, SecretRotated } from '@m365/api'
import { ConnectionParams, Problems, TAGS } from './schemas.js'

const secret: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/:id/secret/rotate', {
    schema: {
      tags: TAGS,
      summary: 'Rotate the webhook secret; the old one keeps verifying for a grace period (default 24 h)',
      description: 'Give `webhookSecret`, or leave it out to have one generated: it is in this response only, never again.',
      params: ConnectionParams,
      body: SecretRotate,
      response: { 200: SecretRotated, ...Problems }
    }
  }, async (request) => {
    const result = await app.connections.rotateSecret(request.params.id, request.body ?? {})
    request.log.info({ connectionId: request.params.id, validUntil: result.connection.previousSecretValidUntil }, 'webhook secret rotated')
    return result
  })
}

export default secret
