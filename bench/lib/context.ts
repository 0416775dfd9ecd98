import type { BenchEnvironment } from './environment.js'
import type { Measure } from './ratios.js'

/** Sizes of everything, from flags/env; --quick divides them by about ten. */
export interface Sizes {
  /** 1: the tenant whose sync is timed against the floors */
  syncUsers: number
  /** 1: tenants synced by a fresh graph-sync process each, for its peak RSS */
  rssUsers: number[]
  /** 1: the largest directory-only sync again with this V8 old-space cap for graph-sync (MB; 0: skip) */
  heapCapMb: number
  /** 1: latency added to every users page (ms), and the tenant it is measured on */
  latencyMs: number
  latencyUsers: number
  /** 2 */
  tenants: number
  usersPerTenant: number
  /** 3 */
  deltaUsers: number
  deltaChangedShare: number
  /** 4 */
  reportUsers: number
  reportContacts: number
  reportMatchShare: number
  /** 5 */
  gatewayRows: number
  gatewayPageSize: number
  gatewayDurationS: number
  gatewayConnections: number
  /** 6 */
  webhookDurationS: number
  webhookConnections: number
}

export interface BenchContext {
  env: BenchEnvironment
  sizes: Sizes
  quick: boolean
  log: (message: string) => void
}

export interface Benchmark {
  id: number
  name: string
  run: (ctx: BenchContext) => Promise<Measure[]>
}
