import { randomUUID } from 'node:crypto'
import { Type } from '@sinclair/typebox'
import { createEvent, defineEvent, SyncRequested, TenantConnected, type EventOf } from '@m365/contracts'

export function tenantConnected (displayName = 'Contoso'): EventOf<typeof TenantConnected> {
  return createEvent(TenantConnected, { clientId: randomUUID(), tenantId: randomUUID(), displayName, connectedAt: new Date().toISOString() })
}

export function syncRequested (): EventOf<typeof SyncRequested> {
  return createEvent(SyncRequested, {
    syncId: randomUUID(), tenantId: randomUUID(), clientId: randomUUID(), mode: 'full', reason: 'manual', requestedAt: new Date().toISOString()
  })
}

/** A contract outside the catalog: the streams must take its subject on first use. */
export const BusTestNoted = defineEvent('bustest.noted', 1, Type.Object({ n: Type.Integer() }))
