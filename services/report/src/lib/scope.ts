import type { Principal } from '@m365/api'

/** What a principal may read: MSP staff everything; a client principal its own client, and only shared versions. */
export interface Scope {
  clientId: string | undefined
  sharedOnly: boolean
}

export const scopeOf = (principal: Principal): Scope => principal.role === 'client'
  ? { clientId: principal.clientId, sharedOnly: true }
  : { clientId: undefined, sharedOnly: false }
