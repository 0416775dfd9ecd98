import { validateRequest, type ReplyOf, type RequestContract, type RequestOf } from '@m365/contracts'
import { RequestFailedError } from '../errors.js'
import type { RequestHandler, Subscription } from '../event-bus.js'
import { Gate } from '../gate.js'
import { answer, readReply, type ServeResult } from '../request-reply.js'

interface Server {
  serve (raw: string): Promise<ServeResult>
}

/** Request/reply in memory: JSON on the way in and out (no shared objects), round robin over servers. */
export class InProcessRequests {
  private readonly servers = new Map<string, Server[]>()
  private turn = 0

  async request<C extends RequestContract> (contract: C, request: RequestOf<C>, timeoutMs: number): Promise<ReplyOf<C>> {
    validateRequest(contract, request)
    const servers = this.servers.get(contract.subject) ?? []
    const server = servers[this.turn++ % Math.max(servers.length, 1)]
    if (!server) throw new RequestFailedError(contract.subject, 'no_responders', 'nobody serves this subject')
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new RequestFailedError(contract.subject, 'timeout', `no reply within ${timeoutMs} ms`)), timeoutMs)
    })
    try {
      const result = await Promise.race([server.serve(JSON.stringify(request)), timeout])
      return readReply(contract, JSON.parse(JSON.stringify(result)) as ServeResult)
    } finally {
      clearTimeout(timer)
    }
  }

  serve<C extends RequestContract> (contract: C, handler: RequestHandler<C>): Subscription {
    const inFlight = new Gate(Number.MAX_SAFE_INTEGER)
    const server: Server = {
      serve: (raw) => new Promise((resolve) => inFlight.run(async () => resolve(await answer(contract, handler, raw))))
    }
    this.servers.set(contract.subject, [...(this.servers.get(contract.subject) ?? []), server])
    return {
      close: async () => {
        this.servers.set(contract.subject, (this.servers.get(contract.subject) ?? []).filter((s) => s !== server))
        await inFlight.idle()
      }
    }
  }
}
