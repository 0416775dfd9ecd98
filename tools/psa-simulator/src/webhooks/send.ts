import { setTimeout as sleep } from 'node:timers/promises'
import { request, type Dispatcher } from 'undici'
import { plan, type PlannedDelivery } from './order.js'
import { autotaskEscapedForm, autotaskSignatureHeader, basicAuthorization, connectWiseSignatureHeader } from './sign.js'

export interface WebhookRetries {
  /** total attempts per delivery; Autotask: 5 */
  attempts?: number
  /** wait between attempts; Autotask: 30 s */
  delayMs?: number
  /** whether an answer counts as failed and is tried again; default: anything but 2xx */
  onStatus?: (status: number) => boolean
}

interface CommonOptions {
  targetUrl: string
  /** bodies: objects are JSON.stringify'd; strings and Buffers go out byte for byte */
  events: ReadonlyArray<object | string | Buffer>
  /** extra deliveries of each event (default 0): 2 → every event arrives three times */
  duplicates?: number
  /** deliver in a shuffled order (seeded by `seed`, default 1) */
  outOfOrder?: boolean
  seed?: number
  retries?: WebhookRetries
  /** per attempt; default 10 s (Autotask's timeout) */
  timeoutMs?: number
  /** deliveries in flight at once; default 1, i.e. one queue in order like an Autotask callout */
  concurrency?: number
  headers?: Record<string, string>
  dispatcher?: Dispatcher
}

export type SendWebhooksOptions = CommonOptions & (
  | { psa: 'autotask', secret: string, /** sign the §3.3 escaped form but send the raw body */ signEscaped?: boolean }
  | { psa: 'connectwise', signingKey: string }
  | { psa: 'halopsa', basic?: { username: string, password: string }, bearer?: string, apiKey?: { header: string, value: string } }
)

export interface AttemptResult { status?: number, error?: string }

export interface DeliveryResult extends PlannedDelivery {
  attempts: AttemptResult[]
  /** the last answer's status, null when the last attempt got none (timeout, refused) */
  status: number | null
  delivered: boolean
}

export interface SendReport {
  /** in the order they were started */
  deliveries: DeliveryResult[]
  delivered: number
  failed: number
}

/** How each PSA retries when nothing else is said (Autotask from §3.4; ConnectWise and Halo unknown: 3 tries). */
const retryDefaults = {
  autotask: { attempts: 5, delayMs: 30_000 },
  connectwise: { attempts: 3, delayMs: 10_000 },
  halopsa: { attempts: 3, delayMs: 10_000 }
} as const

/**
 * Posts webhooks to `targetUrl` signed exactly as the PSA signs them, retrying failed deliveries like the PSA,
 * and reports what each delivery got.
 */
export async function sendWebhooks (options: SendWebhooksOptions): Promise<SendReport> {
  const bodies = options.events.map((e) => Buffer.isBuffer(e) ? e : Buffer.from(typeof e === 'string' ? e : JSON.stringify(e), 'utf8'))
  const deliveries = plan(bodies.length, Math.max(0, options.duplicates ?? 0), options.outOfOrder ?? false, options.seed ?? 1)
  const results: DeliveryResult[] = []
  let next = 0
  const worker = async () => {
    while (next < deliveries.length) {
      const planned = deliveries[next++] as PlannedDelivery
      const result: DeliveryResult = { ...planned, attempts: [], status: null, delivered: false }
      results.push(result)
      await deliver(options, bodies[planned.event] as Buffer, result)
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 1) }, worker))
  const delivered = results.filter((r) => r.delivered).length
  return { deliveries: results, delivered, failed: results.length - delivered }
}

async function deliver (options: SendWebhooksOptions, body: Buffer, result: DeliveryResult): Promise<void> {
  const defaults = retryDefaults[options.psa]
  const attempts = Math.max(1, options.retries?.attempts ?? defaults.attempts)
  const failed = options.retries?.onStatus ?? ((status: number) => status < 200 || status >= 300)
  const headers = { 'content-type': 'application/json', ...signatureHeaders(options, body), ...options.headers }
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) await sleep(options.retries?.delayMs ?? defaults.delayMs)
    try {
      const res = await request(options.targetUrl, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        ...(options.dispatcher ? { dispatcher: options.dispatcher } : {})
      })
      await res.body.dump()
      result.attempts.push({ status: res.statusCode })
      result.status = res.statusCode
      if (!failed(res.statusCode)) {
        result.delivered = true
        return
      }
    } catch (err) {
      result.attempts.push({ error: (err as Error).name === 'TimeoutError' ? 'timeout' : String((err as { code?: string }).code ?? (err as Error).message) })
      result.status = null
    }
  }
}

function signatureHeaders (options: SendWebhooksOptions, body: Buffer): Record<string, string> {
  switch (options.psa) {
    case 'autotask': {
      const signed = options.signEscaped ? Buffer.from(autotaskEscapedForm(body.toString('utf8')), 'utf8') : body
      return { 'x-hook-signature': autotaskSignatureHeader(signed, options.secret) }
    }
    case 'connectwise':
      return { 'x-content-signature': connectWiseSignatureHeader(body, options.signingKey) }
    case 'halopsa':
      if (options.basic) return { authorization: basicAuthorization(options.basic.username, options.basic.password) }
      if (options.bearer) return { authorization: `Bearer ${options.bearer}` }
      if (options.apiKey) return { [options.apiKey.header.toLowerCase()]: options.apiKey.value }
      return {}
  }
}
