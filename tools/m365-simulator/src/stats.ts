import type { TenantStats } from './types.js'

export class StatsRecorder {
  private requests = new Map<string, number>()
  private statuses = new Map<string, number>()
  private throttled = 0
  private early = 0
  private tokens = new Map<string, number>()

  request (endpoint: string) { this.requests.set(endpoint, (this.requests.get(endpoint) ?? 0) + 1) }

  status (endpoint: string, code: number) {
    const key = `${code} ${endpoint}`
    this.statuses.set(key, (this.statuses.get(key) ?? 0) + 1)
    if (code === 429) this.throttled++
  }

  retriedEarly () { this.early++ }

  token (clientId: string) { this.tokens.set(clientId, (this.tokens.get(clientId) ?? 0) + 1) }

  snapshot (): TenantStats {
    const tokensByClient = Object.fromEntries(this.tokens)
    return {
      requests: Object.fromEntries(this.requests),
      statuses: Object.fromEntries(this.statuses),
      throttled: this.throttled,
      retriedEarly: this.early,
      tokensIssued: Object.values(tokensByClient).reduce((a, b) => a + b, 0),
      tokensByClient
    }
  }
}
