import { sql } from 'drizzle-orm'
import type { EventOf, TenantConnected, TenantDisconnected } from '@m365/contracts'
import type { AnyDb } from '@m365/db'
import { isDeletedClient, markProcessed } from './guards.js'

type TenantEvent = EventOf<typeof TenantConnected> | EventOf<typeof TenantDisconnected>

/** Keeps the latest state per tenant; an older event arriving late changes nothing. */
export async function handleTenantEvent (db: AnyDb, event: TenantEvent): Promise<void> {
  const { clientId, tenantId } = event.data
  const connected = 'connectedAt' in event.data
  const changedAt = 'connectedAt' in event.data ? event.data.connectedAt : event.data.disconnectedAt
  const displayName = 'displayName' in event.data ? event.data.displayName ?? null : null
  await db.transaction(async (tx) => {
    if (!await markProcessed(tx, event.id)) return
    if (await isDeletedClient(tx, clientId)) return
    await tx.execute(sql`
      insert into report.tenants as cur (tenant_id, client_id, display_name, status, changed_at)
      values (${tenantId}::uuid, ${clientId}::uuid, ${displayName}, ${connected ? 'connected' : 'disconnected'}, ${changedAt}::timestamptz)
      on conflict (tenant_id) do update set
        client_id = excluded.client_id,
        display_name = coalesce(excluded.display_name, cur.display_name),
        status = excluded.status,
        changed_at = excluded.changed_at
      where cur.changed_at <= excluded.changed_at`)
  })
}
