import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { decodePrincipal, PRINCIPAL_HEADER } from '@m365/api'
import { HttpProblem } from '@m365/service-kit'

/**
 * PSA connections belong to the MSP, not to one client: only MSP staff may use these routes. The gateway
 * authenticates and forwards the principal; without one the caller did not come through it (401).
 */
export default fp(async (app: FastifyInstance) => {
  app.addHook('onRequest', async (request) => {
    const principal = decodePrincipal(request.headers[PRINCIPAL_HEADER])
    if (!principal) throw new HttpProblem(401, 'UNAUTHENTICATED', `missing or malformed ${PRINCIPAL_HEADER} header`)
    if (principal.role !== 'msp') throw new HttpProblem(403, 'FORBIDDEN', 'PSA connections are for MSP staff only')
  })
}, { name: 'msp-only' })
