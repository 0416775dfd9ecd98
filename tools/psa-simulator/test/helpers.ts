import Fastify from 'fastify'
import type { IncomingHttpHeaders } from 'node:http'
import type { Test } from 'tap'
import { startPsaSimulator, type PsaSimulator, type PsaSimulatorOptions } from '@m365/psa-simulator'

export async function simulator (t: Test, options?: PsaSimulatorOptions): Promise<PsaSimulator> {
  const sim = await startPsaSimulator(options)
  t.teardown(() => sim.close())
  return sim
}

export interface Received { body: Buffer, headers: IncomingHttpHeaders, status: number, detail: unknown }

export interface ReceiverOptions {
  /** answer 500 to this many requests first */
  failFirst?: number
  /** leave this many requests first without an answer until the test ends */
  hangFirst?: number
}

/**
 * A small Fastify webhook endpoint like contacts-ingest's: keeps the raw body, verifies it with `verify`,
 * answers 204 when it verifies and 401 when not, and records everything.
 */
export async function receiver (
  t: Test, verify: (raw: Buffer, headers: IncomingHttpHeaders) => Promise<{ ok: boolean }> | { ok: boolean }, options: ReceiverOptions = {}
) {
  const received: Received[] = []
  let requests = 0
  const hanging: Array<() => void> = []
  const app = Fastify({ logger: false, forceCloseConnections: true })
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => { done(null, body) })
  app.post('/hook', async (request, reply) => {
    const n = ++requests
    if (n <= (options.hangFirst ?? 0)) {
      await new Promise<void>((resolve) => hanging.push(resolve))
      return await reply.code(504).send()
    }
    const body = request.body as Buffer
    if (n <= (options.hangFirst ?? 0) + (options.failFirst ?? 0)) {
      received.push({ body, headers: request.headers, status: 500, detail: 'failing on purpose' })
      return await reply.code(500).send()
    }
    const result = await verify(body, request.headers)
    const status = result.ok ? 204 : 401
    received.push({ body, headers: request.headers, status, detail: result })
    return await reply.code(status).send()
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(async () => {
    hanging.forEach((release) => release())
    await app.close()
  })
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return { url: `http://127.0.0.1:${port}/hook`, received, requests: () => requests }
}

/** Polls `condition` until it holds or the deadline passes. */
export async function waitFor (condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setImmediate(resolve))
  }
}

/** Drains an async generator of pages. */
export async function collect<T> (pages: AsyncIterable<{ contacts: T[] }>): Promise<{ pages: number, contacts: T[] }> {
  const contacts: T[] = []
  let count = 0
  for await (const page of pages) {
    count++
    contacts.push(...page.contacts)
  }
  return { pages: count, contacts }
}
