import { createRequire } from 'node:module'

/** The part of autocannon's API the benchmarks use (the package ships no types). */
interface AutocannonRequest {
  method?: string
  path?: string
  headers?: Record<string, string>
  body?: string | Buffer
  setupRequest?: (request: AutocannonRequest, context: Record<string, unknown>) => AutocannonRequest
}
interface AutocannonOptions {
  url: string
  connections: number
  duration: number
  pipelining?: number
  method?: string
  headers?: Record<string, string>
  requests?: AutocannonRequest[]
}
interface AutocannonResult {
  duration: number
  errors: number
  timeouts: number
  non2xx: number
  '2xx': number
  latency: { p50: number, p90: number, p99: number, average: number, max: number }
  requests: { average: number, total: number }
  statusCodeStats: Record<string, { count: number }>
}
type Autocannon = (options: AutocannonOptions) => Promise<AutocannonResult>

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon

export type LoadRequest = AutocannonRequest

export interface LoadResult {
  /** 2xx answers per second */
  okPerSecond: number
  p50: number
  p99: number
  ok: number
  failed: number
  statuses: Record<string, number>
}

/**
 * autocannon against `url` for `durationS` seconds with `connections` keep-alive connections, after a
 * warm-up of a quarter of that (discarded). Each connection cycles through `requests` in order.
 */
export async function load (url: string, options: { connections: number, durationS: number, requests: LoadRequest[], warmup?: boolean }): Promise<LoadResult> {
  const run = (duration: number) => autocannon({ url, connections: options.connections, duration, requests: options.requests })
  if (options.warmup !== false) await run(Math.max(1, Math.round(options.durationS / 4)))
  const r = await run(options.durationS)
  const statuses = Object.fromEntries(Object.entries(r.statusCodeStats ?? {}).map(([code, s]) => [code, s.count]))
  return {
    okPerSecond: r['2xx'] / r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    ok: r['2xx'],
    failed: r.non2xx + r.errors + r.timeouts,
    statuses
  }
}
