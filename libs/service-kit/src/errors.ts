import { STATUS_CODES } from 'node:http'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Problem } from '@m365/api'

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8'

/** An error that already is a problem (e.g. relayed from another service by the HTTP client). */
export interface ProblemCarrier { statusCode: number, problem: Partial<Problem> }

/** `NOT_FOUND` for 404: the code of a problem that has no more specific one. */
export const statusCode = (status: number): string =>
  (STATUS_CODES[status] ?? 'Error').toUpperCase().replace(/[^A-Z0-9]+/g, '_')

/** Builds the problem for a status; `type` is about:blank unless the code is a specific one. */
export function problem (status: number, detail: string, request: FastifyRequest, code = statusCode(status)): Problem {
  return {
    type: code === statusCode(status) ? 'about:blank' : `urn:m365:problem:${code}`,
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    instance: request.url.split('?')[0] ?? request.url, // the path: query strings may carry tokens
    code
  }
}

export function sendProblem (reply: FastifyReply, body: Problem): FastifyReply {
  return reply.code(body.status).type(PROBLEM_CONTENT_TYPE).send(body)
}

/**
 * An expected failure with its own status, code and detail (and headers, e.g. retry-after). The error
 * handler sends it as it is, 5xx included (a 503 "no Azure app configured" must say so), and logs it at
 * info like any rejected request: unexpected errors alone are logged as errors and answer "see logs".
 */
export class HttpProblem extends Error {
  override readonly name = 'HttpProblem'
  constructor (readonly statusCode: number, readonly code: string, message: string, readonly headers?: Record<string, string>) {
    super(message)
  }
}

export const notFound = (what: string) => new HttpProblem(404, 'NOT_FOUND', `${what} does not exist`)
/** `detail` names the field, as validation errors do: `body/companies/0/companyExternalId … is listed twice`. */
export const badRequest = (detail: string, code = 'VALIDATION_FAILED') => new HttpProblem(400, code, detail)
export const conflict = (code: string, detail: string) => new HttpProblem(409, code, detail)
export const unprocessable = (code: string, detail: string) => new HttpProblem(422, code, detail)

function isProblemCarrier (error: unknown): error is ProblemCarrier {
  return typeof error === 'object' && error !== null && 'problem' in error && typeof (error as ProblemCarrier).problem === 'object'
}

/**
 * The one error handler: every error leaves as application/problem+json. 4xx and HttpProblem carry their
 * message (validation errors name the field: `body/name must NOT have fewer than 1 characters`); other
 * 5xx say only "see logs, request <id>" and are logged at error level with the error.
 * @see https://www.rfc-editor.org/rfc/rfc9457
 */
export function errorHandler (error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const raw = error.statusCode ?? 500
  const status = raw >= 400 && raw <= 599 ? raw : 500
  const headers = (error as { headers?: Record<string, string> }).headers
  if (headers) reply.headers(headers)
  if (status >= 500 && !(error instanceof HttpProblem)) {
    request.log.error({ err: error }, 'request failed')
    return sendProblem(reply, problem(status, `see logs, request ${request.id}`, request))
  }
  request.log.info({ statusCode: status, code: error.code, detail: error.message }, 'request rejected')
  if (isProblemCarrier(error)) {
    const relayed = error.problem
    return sendProblem(reply, {
      ...problem(status, relayed.detail ?? error.message, request, relayed.code ?? statusCode(status)),
      ...(relayed.type && { type: relayed.type }),
      ...(relayed.title && { title: relayed.title })
    })
  }
  const code = error.validation
    ? 'VALIDATION_FAILED'
    : error.code && !error.code.startsWith('FST_') ? error.code : statusCode(status)
  return sendProblem(reply, problem(status, error.message, request, code))
}

export function notFoundHandler (request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendProblem(reply, problem(404, `route ${request.method} ${request.url.split('?')[0]} does not exist`, request))
}

/** Installs both handlers on `app` (the service root, so every route of the service gets them). */
export function useProblemHandlers (app: FastifyInstance): void {
  app.setErrorHandler(errorHandler)
  app.setNotFoundHandler(notFoundHandler)
}
