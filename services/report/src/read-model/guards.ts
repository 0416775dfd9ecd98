import { eq, sql } from 'drizzle-orm'
import type { AnyDb } from '@m365/db'
import { deletedClients, processedEvents } from '../db/schema.js'

/** Records the event id in the caller's transaction; false when it was handled before (change nothing). */
export async function markProcessed (tx: AnyDb, eventId: string): Promise<boolean> {
  const fresh = await tx.insert(processedEvents).values({ eventId }).onConflictDoNothing()
    .returning({ eventId: processedEvents.eventId })
  return fresh.length > 0
}

/** Events about a deleted client arrive late sometimes; they must not bring its data back. */
export async function isDeletedClient (tx: AnyDb, clientId: string): Promise<boolean> {
  const rows = await tx.select({ clientId: deletedClients.clientId }).from(deletedClients).where(eq(deletedClients.clientId, clientId))
  return rows.length > 0
}

const LOCK_NAMESPACE = 0x72707431 // 'rpt1': ours, apart from other advisory-lock users

/**
 * Serialises the transactions touching one tenant's sync data (batches, completion, SKUs arrive on
 * separate consumers): whichever commits last sees everything the others committed. `shared`: for
 * staging a batch, which other batches may do at the same time; applying a sync takes it exclusively,
 * so it waits for the batches being staged and they wait for it.
 */
export async function lockTenant (tx: AnyDb, tenantId: string, mode: 'exclusive' | 'shared' = 'exclusive'): Promise<void> {
  const lock = mode === 'shared' ? sql`pg_advisory_xact_lock_shared` : sql`pg_advisory_xact_lock`
  await tx.execute(sql`select ${lock}(${LOCK_NAMESPACE}::int, hashtext(${tenantId}::text))`)
}
