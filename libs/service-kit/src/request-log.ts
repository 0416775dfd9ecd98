import { LogController, type FastifyReply, type FastifyRequest } from 'fastify'

/**
 * Fastify's per-request log lines, one per request: 'request completed' (or 'request errored')
 * carries the request's method and URL beside the status and the time, and 'incoming request' moves
 * to debug, where it still shows a request that never completes. Fastify's default pair says the
 * same thing twice, and under load the lines are a noticeable share of a service's CPU (bench/README).
 * A route's own `logLevel` still applies: a route at 'warn' logs neither.
 * @see https://fastify.dev/docs/latest/Reference/Server/#logcontroller
 */
export class RequestLogController extends LogController {
  override incomingRequest (request: FastifyRequest, _reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return
    request.log.debug({ req: request }, 'incoming request')
  }

  override requestCompleted (error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return
    if (error) reply.log.error({ req: request, res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored')
    else reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed')
  }
}

/** The Fastify options every service is built with for its request lines. */
export const requestLogging = () => ({ logController: new RequestLogController() })
