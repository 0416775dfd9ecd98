import { TokenRequest } from '@m365/contracts'
import type { FastifyInstance } from 'fastify'

/** Serves `tokens.get` (core request/reply; replicas share a queue group). Closes before the bus. */
export default async function tokensGetServer (app: FastifyInstance) {
  const subscription = await app.bus.serve(TokenRequest, (request) => app.tokenBroker.getToken(request.tenantId, request.scope, { forceRefresh: request.forceRefresh === true }))
  app.addHook('onClose', () => subscription.close())
}
