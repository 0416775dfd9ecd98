export type PsaName = 'connectwise' | 'autotask' | 'halopsa'

export interface SimulatorStats {
  /** every HTTP request that reached the simulator */
  requests: number
  byPsa: Record<PsaName | 'other', number>
  /** `GET /v4_6_release/apis/3.0/company/contacts` → count (route patterns, not concrete URLs) */
  byRoute: Record<string, number>
  byStatus: Record<string, number>
  /** requests answered 401 */
  unauthorized: number
  /** requests answered 503 or dropped because of setDown / failNext */
  failedOnPurpose: number
  signingKeyFetches: number
  contacts: number
  deletedContacts: number
  companies: number
}

export function psaOf (url: string): PsaName | 'other' {
  const path = url.toLowerCase()
  if (path.startsWith('/v4_6_release/')) return 'connectwise'
  if (path.startsWith('/atservicesrest/')) return 'autotask'
  if (path.startsWith('/api/') || path.startsWith('/auth/')) return 'halopsa'
  return 'other'
}

/** Counters the simulator keeps; `snapshot` adds the store sizes. */
export class Counters {
  requests = 0
  byPsa: Record<PsaName | 'other', number> = { connectwise: 0, autotask: 0, halopsa: 0, other: 0 }
  byRoute: Record<string, number> = {}
  byStatus: Record<string, number> = {}
  unauthorized = 0
  failedOnPurpose = 0
  signingKeyFetches = 0

  request (url: string): void {
    this.requests++
    this.byPsa[psaOf(url)]++
  }

  response (route: string, status: number): void {
    this.byRoute[route] = (this.byRoute[route] ?? 0) + 1
    this.byStatus[status] = (this.byStatus[status] ?? 0) + 1
    if (status === 401) this.unauthorized++
  }

  reset (): void {
    Object.assign(this, new Counters())
  }
}
