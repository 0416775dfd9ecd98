import type { Tenant } from './tenant.js'
import type { SigningKeys } from './identity/access-token.js'

export interface AppRegistration {
  clientId: string
  clientSecret?: string
  /** lower-case hex SHA-1 and/or SHA-256 thumbprints of the app's certificates */
  thumbprints: Set<string>
  certificatePem?: string
  displayName: string
  permissions: string[]
  redirectUris?: string[]
  secretExpiresAt?: number
}

/** Everything the HTTP routes and the admin API share. */
export class SimulatorState {
  readonly apps = new Map<string, AppRegistration>()
  readonly tenants = new Map<string, Tenant>()
  clockOffsetMs = 0
  readonly now = () => Date.now() + this.clockOffsetMs

  constructor (readonly signing: SigningKeys, readonly latencyMs: number, readonly tokenLifetimeSeconds: number) {}

  /** By tenant id, default domain or initial (onmicrosoft.com) domain, as the authority path allows. */
  resolveTenant (key: string): Tenant | undefined {
    const k = key.toLowerCase()
    const byId = this.tenants.get(k)
    if (byId) return byId
    for (const t of this.tenants.values()) if (t.defaultDomain.toLowerCase() === k || t.initialDomain === k) return t
    return undefined
  }
}
