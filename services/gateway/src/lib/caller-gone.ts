import type { FastifyReply } from 'fastify'
import { HttpProblem } from './http-problem.js'

/**
 * Aborts when the caller's connection closes before its answer was sent in full, so the service call made
 * for it stops too: waiting for an answer nobody will read holds one of the pool's connections to the service.
 * (Not Fastify's request.signal: it listens to the request's 'close', which Node emits once a body is read.)
 */
export function callerGone (reply: FastifyReply): AbortSignal {
  const controller = new AbortController()
  const response = reply.raw
  const onClose = () => { if (!response.writableFinished) controller.abort(new CallerGone()) }
  if (response.destroyed) onClose()
  else response.once('close', onClose)
  return controller.signal
}

/** The caller went away: nothing can be answered (499, as nginx logs it). */
export class CallerGone extends HttpProblem {
  constructor () {
    super(499, 'CLIENT_CLOSED_REQUEST', 'the caller closed the connection before the answer; the service call was abandoned')
  }
}
