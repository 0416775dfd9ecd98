import type { Context, Middleware } from '@microsoft/microsoft-graph-client'
import { fetch, type Dispatcher } from 'undici'
import { controlOf } from './request-control.js'
import type { Semaphore } from './semaphore.js'

const NULL_BODY_STATUS = new Set([101, 204, 205, 304])

/**
 * The last middleware: sends one attempt on undici with our dispatcher, in place of the SDK's
 * HTTPMessageHandler (global fetch). Holds a per-tenant concurrency slot for the attempt, bounds it
 * with the per-attempt timeout, and reads the whole body inside both, so a slow body counts as a
 * timeout and the slot is free when the SDK parses the page.
 */
export class UndiciHttpHandler implements Middleware {
  readonly #dispatcher: Dispatcher
  readonly #slots: Semaphore
  readonly #timeoutMs: number

  constructor (opts: { dispatcher: Dispatcher, slots: Semaphore, timeoutMs: number }) {
    this.#dispatcher = opts.dispatcher
    this.#slots = opts.slots
    this.#timeoutMs = opts.timeoutMs
  }

  async execute (context: Context): Promise<void> {
    const control = controlOf(context)
    const url = targetUrl(context, control?.verbatimUrl)
    // Wait for the report limiter before taking a slot: a report walk that has to wait must not
    // hold up the tenant's other calls.
    await control?.limiter?.take(control.signal)
    const options = context.options ?? {}
    context.response = await this.#slots.run(async () => {
      const timeout = AbortSignal.timeout(this.#timeoutMs)
      const signal = control?.signal ? AbortSignal.any([timeout, control.signal]) : timeout
      const res = await fetch(url, {
        method: options.method ?? 'GET',
        headers: options.headers as Record<string, string> | undefined,
        body: (options.body as string | undefined) ?? null,
        dispatcher: this.#dispatcher,
        signal
      })
      const body = await res.arrayBuffer()
      return new Response(NULL_BODY_STATUS.has(res.status) ? null : body, {
        status: res.status,
        statusText: res.statusText,
        headers: [...res.headers]
      })
    })
  }
}

/**
 * The URL to send: the SDK's, or a link exactly as Graph gave it. The link must stay on the origin
 * the SDK authorised, so a token never goes to a host the auth middleware did not check.
 */
function targetUrl (context: Context, verbatim: string | undefined): string {
  const built = typeof context.request === 'string' ? context.request : context.request.url
  if (verbatim === undefined) return built
  if (new URL(verbatim).origin !== new URL(built).origin) {
    throw new Error(`refusing to follow a link to another origin: ${new URL(verbatim).origin}`)
  }
  return verbatim
}
