import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { HttpProblem, PROBLEM_CONTENT_TYPE, problem } from '@m365/service-kit'
import { connectedPage, failedPage, PAGE_HEADERS } from '../../../connect/callback-page.js'
import type { CallbackFailure } from '../../../connect/consent-service.js'
import { ConsentCallbackConnected, ConsentCallbackFailed, ConsentCallbackQuery } from '@m365/api'

const wantsJson = (request: FastifyRequest) => /application\/(problem\+)?json/i.test(request.headers.accept ?? '')

const callbackRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/callback', {
    // Fastify's request log line carries the URL, and with it the state: this route logs its own line
    logLevel: 'warn',
    schema: {
      tags: ['Tenants'],
      summary: 'Where Microsoft sends the admin back after consent (public: the signed, single-use state is the authority)',
      querystring: ConsentCallbackQuery,
      response: { 200: ConsentCallbackConnected, '4xx': ConsentCallbackFailed, '5xx': ConsentCallbackFailed }
    }
  }, async (request, reply) => {
    try {
      const result = await app.consent.complete(request.query)
      app.log.info({ reqId: request.id, clientId: result.clientId, tenantId: result.tenantId, outcome: 'connected' }, 'consent callback')
      reply.headers(PAGE_HEADERS)
      if (!wantsJson(request)) return reply.type('text/html; charset=utf-8').send(connectedPage(result) as never)
      return { outcome: 'connected' as const, ...result }
    } catch (err) {
      if (!(err instanceof HttpProblem)) throw err
      app.log.info({ reqId: request.id, outcome: 'failed', code: err.code, detail: err.message }, 'consent callback')
      return sendFailure(request, reply, err as CallbackFailure)
    }
  })
}

function sendFailure (request: FastifyRequest, reply: FastifyReply, err: CallbackFailure) {
  reply.code(err.statusCode).headers(PAGE_HEADERS)
  if (!wantsJson(request)) return reply.type('text/html; charset=utf-8').send(failedPage({ detail: err.message, error: err.error, errorDescription: err.errorDescription }) as never)
  return reply.type(PROBLEM_CONTENT_TYPE).send({
    ...problem(err.statusCode, err.message, request, err.code),
    outcome: 'failed',
    ...(err.error !== undefined && { error: err.error }),
    ...(err.errorDescription !== undefined && { errorDescription: err.errorDescription })
  })
}

export default callbackRoutes
