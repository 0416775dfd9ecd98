import { validateReply, validateRequest, type ReplyOf, type RequestContract, type RequestOf } from '@m365/contracts'
import { errorMessage, RequestFailedError, type RequestFailure } from './errors.js'
import type { RequestHandler } from './event-bus.js'

/** What travels back when the serving side could not answer. */
export interface ErrorReply {
  reason: RequestFailure
  message: string
}

export type ServeResult = { ok: true, reply: unknown } | { ok: false, error: ErrorReply }

/**
 * The serving side of request/reply, shared by both adapters: parse and validate the request,
 * run the handler, validate its reply. Never throws.
 */
export async function answer<C extends RequestContract> (contract: C, handler: RequestHandler<C>, raw: string): Promise<ServeResult> {
  let request: RequestOf<C>
  try {
    request = validateRequest(contract, JSON.parse(raw))
  } catch (err) {
    return { ok: false, error: { reason: 'invalid_request', message: errorMessage(err) } }
  }
  let reply: ReplyOf<C>
  try {
    reply = await handler(request)
  } catch (err) {
    return { ok: false, error: { reason: 'handler_error', message: errorMessage(err) } }
  }
  try {
    return { ok: true, reply: validateReply(contract, reply) }
  } catch (err) {
    return { ok: false, error: { reason: 'invalid_reply', message: errorMessage(err) } }
  }
}

/** The requesting side: turn what came back into a validated reply or a RequestFailedError. */
export function readReply<C extends RequestContract> (contract: C, result: ServeResult): ReplyOf<C> {
  if (!result.ok) throw new RequestFailedError(contract.subject, result.error.reason, result.error.message)
  return validateReply(contract, result.reply)
}
