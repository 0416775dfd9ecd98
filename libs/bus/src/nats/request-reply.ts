import { ErrorCode, headers, type NatsConnection, type NatsError, type Msg } from 'nats'
import { validateRequest, type ReplyOf, type RequestContract, type RequestOf } from '@m365/contracts'
import { RequestFailedError, type RequestFailure } from '../errors.js'
import type { RequestHandler, Subscription } from '../event-bus.js'
import { atMost, Gate } from '../gate.js'
import type { BusLogger } from '../logger.js'
import { answer, readReply, type ServeResult } from '../request-reply.js'

/** Header naming the failure on an error reply (the NATS services convention). */
const ERROR_HEADER = 'Nats-Service-Error'
const REASON_HEADER = 'Nats-Service-Error-Code'

/** @see https://github.com/nats-io/nats.js request/reply: a 503 status means nobody listens on the subject. */
export async function natsRequest<C extends RequestContract> (
  nc: NatsConnection, wireSubject: string, contract: C, request: RequestOf<C>, timeoutMs: number
): Promise<ReplyOf<C>> {
  validateRequest(contract, request)
  let msg: Msg
  try {
    msg = await nc.request(wireSubject, JSON.stringify(request), { timeout: timeoutMs })
  } catch (err) {
    const code = (err as NatsError).code
    if (code === ErrorCode.NoResponders) throw new RequestFailedError(contract.subject, 'no_responders', 'nobody serves this subject')
    if (code === ErrorCode.Timeout) throw new RequestFailedError(contract.subject, 'timeout', `no reply within ${timeoutMs} ms`)
    throw new RequestFailedError(contract.subject, 'closed', (err as Error).message)
  }
  const failure = msg.headers?.get(ERROR_HEADER)
  const result: ServeResult = failure
    ? { ok: false, error: { reason: (msg.headers?.get(REASON_HEADER) || 'handler_error') as RequestFailure, message: failure } }
    : { ok: true, reply: msg.json() }
  return readReply(contract, result)
}

/** Serves a subject in a queue group named after it, so replicas share the requests. */
export function natsServe<C extends RequestContract> (
  nc: NatsConnection, wireSubject: string, contract: C, handler: RequestHandler<C>, log: BusLogger
): Subscription {
  const inFlight = new Gate(Number.MAX_SAFE_INTEGER)
  const respond = async (msg: Msg) => {
    const result = await answer(contract, handler, msg.string())
    if (result.ok) {
      msg.respond(JSON.stringify(result.reply))
      return
    }
    log.warn({ subject: contract.subject, reason: result.error.reason, error: result.error.message }, 'request failed')
    const h = headers()
    h.set(ERROR_HEADER, result.error.message.replace(/[\r\n]+/g, ' '))
    h.set(REASON_HEADER, result.error.reason)
    msg.respond(JSON.stringify(result.error), { headers: h })
  }
  const sub = nc.subscribe(wireSubject, {
    queue: contract.subject,
    callback: (err, msg) => {
      if (err) {
        log.error({ err, subject: contract.subject }, 'serve subscription failed')
        return
      }
      inFlight.run(() => respond(msg))
    }
  })
  return {
    async close () {
      if (!sub.isClosed()) await atMost(sub.drain(), 5_000) // drain needs the server
      if (!sub.isClosed()) sub.unsubscribe()
      await inFlight.idle()
    }
  }
}
