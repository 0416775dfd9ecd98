import type { FastifyError, FastifyInstance } from 'fastify'
import { errorHandler, problem, sendProblem } from '@m365/service-kit'

/**
 * An expected failure with its own problem code, sent as problem+json with its message as detail,
 * 5xx included (a 503 "no Azure app configured" must say so; unexpected 5xx stay "see logs").
 */
export class HttpProblem extends Error {
  override readonly name = 'HttpProblem'
  constructor (readonly statusCode: number, readonly code: string, message: string) {
    super(message)
  }
}

/** For a route plugin: HttpProblem as itself, everything else to service-kit's handler. */
export function useHttpProblems (app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    if (!(error instanceof HttpProblem)) return errorHandler(error as FastifyError, request, reply)
    request.log.info({ statusCode: error.statusCode, code: error.code, detail: error.message }, 'request rejected')
    return sendProblem(reply, problem(error.statusCode, error.message, request, error.code))
  })
}
