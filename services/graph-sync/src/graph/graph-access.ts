import { readFileSync } from 'node:fs'
import {
  createGraphClient, createGraphTransport, reportRateLimit, type GraphClient, type GraphLogger, type GraphTransport, type RateLimiter
} from '@m365/graph'
import type { GraphSyncConfig } from '../config.js'
import type { TokenCache } from './token-cache.js'

type GraphAccessConfig = Pick<GraphSyncConfig,
  'GRAPH_BASE_URL' | 'GRAPH_CA_FILE' | 'GRAPH_CA_PEM' | 'GRAPH_MAX_CONCURRENCY' | 'GRAPH_RETRY_MAX_ATTEMPTS' |
  'GRAPH_RETRY_BASE_MS' | 'GRAPH_RETRY_MAX_DELAY_MS' | 'GRAPH_TIMEOUT_MS' | 'GRAPH_REPORT_REQUESTS_PER_10S'>

/** The extra CA to trust (the simulator's), from GRAPH_CA_PEM or the file GRAPH_CA_FILE names. */
export function extraCaPem (config: Pick<GraphSyncConfig, 'GRAPH_CA_FILE' | 'GRAPH_CA_PEM'>): string | undefined {
  if (config.GRAPH_CA_PEM) return config.GRAPH_CA_PEM
  if (config.GRAPH_CA_FILE) return readFileSync(config.GRAPH_CA_FILE, 'utf8')
  return undefined
}

/**
 * Graph clients per tenant over one HTTPS transport. Each tenant keeps one report limiter in this
 * process (GRAPH_REPORT_REQUESTS_PER_10S, by default Entra's 5 requests / 10 s on the registration
 * report); a tenant syncs on one replica at a time (the lease), so that is the tenant's limit.
 */
export class GraphAccess {
  readonly transport: GraphTransport
  readonly #limiters = new Map<string, RateLimiter>()

  constructor (private readonly config: GraphAccessConfig, private readonly tokens: TokenCache, private readonly log: GraphLogger) {
    const ca = extraCaPem(config)
    this.transport = createGraphTransport(ca ? { extraCaPem: ca } : {})
  }

  /**
   * The tenant's clients: `main` for everything but the registration report, at most
   * GRAPH_MAX_CONCURRENCY requests in flight; `report` for the report walk alone, one request at a
   * time. The report's limiter grants a request before it waits for a concurrency slot, so on a
   * shared, busy client a granted request could leave late and land in Graph's next window with
   * more than 5 others; on its own client it leaves at once.
   */
  clientsFor (tenantId: string): { main: GraphClient, report: GraphClient } {
    let limiter = this.#limiters.get(tenantId)
    if (!limiter) {
      limiter = reportRateLimit(this.config.GRAPH_REPORT_REQUESTS_PER_10S)
      this.#limiters.set(tenantId, limiter)
    }
    return { main: this.#client(tenantId, this.config.GRAPH_MAX_CONCURRENCY, limiter), report: this.#client(tenantId, 1, limiter) }
  }

  #client (tenantId: string, maxConcurrency: number, limiter: RateLimiter): GraphClient {
    const { config } = this
    return createGraphClient({
      baseUrl: config.GRAPH_BASE_URL,
      transport: this.transport,
      getAccessToken: () => this.tokens.get(tenantId),
      // A 401 (token expired early, revoked): drop it and send that request once more with a fresh one.
      tokenRejected: (token) => this.tokens.rejected(tenantId, token),
      maxConcurrency,
      reportLimiter: limiter,
      log: this.log,
      retry: {
        maxAttempts: config.GRAPH_RETRY_MAX_ATTEMPTS,
        baseDelayMs: config.GRAPH_RETRY_BASE_MS,
        maxDelayMs: config.GRAPH_RETRY_MAX_DELAY_MS,
        timeoutMs: config.GRAPH_TIMEOUT_MS
      }
    })
  }

  forgetToken (tenantId: string): void {
    this.tokens.forget(tenantId)
  }

  /** A tenant that went away needs no limiter. */
  forget (tenantId: string): void {
    this.#limiters.delete(tenantId)
    this.tokens.drop(tenantId)
  }

  async close (): Promise<void> {
    await this.transport.close()
  }
}
