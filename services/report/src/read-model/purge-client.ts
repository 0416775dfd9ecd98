import { sql } from 'drizzle-orm'
import type { ClientDeleted, EventOf } from '@m365/contracts'
import type { AnyDb } from '@m365/db'
import { markProcessed } from './guards.js'

/** Everything kept for a deleted client goes; the tombstone makes late events about it no-ops. */
export async function handleClientDeleted (db: AnyDb, event: EventOf<typeof ClientDeleted>): Promise<void> {
  const { clientId, deletedAt } = event.data
  await db.transaction(async (tx) => {
    if (!await markProcessed(tx, event.id)) return
    await purgeClient(tx, clientId, deletedAt)
  })
}

export async function purgeClient (tx: AnyDb, clientId: string, deletedAt: string): Promise<void> {
  await tx.execute(sql`insert into report.deleted_clients (client_id, deleted_at)
    values (${clientId}::uuid, ${deletedAt}::timestamptz) on conflict do nothing`)
  await tx.execute(sql`delete from report.o365_user_addresses a using report.o365_users u
    where u.client_id = ${clientId}::uuid and a.tenant_id = u.tenant_id and a.user_id = u.user_id`)
  for (const table of ['clients', 'o365_users', 'o365_user_removals', 'o365_skus', 'tenant_sync_state', 'tenants', 'contacts', 'staged_syncs']) {
    const column = table === 'clients' ? 'id' : 'client_id'
    await tx.execute(sql`delete from ${sql.raw(`report.${table}`)} where ${sql.raw(column)} = ${clientId}::uuid`)
  }
}
