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
 * separate consumers): whichever commits last sees everything the others committed.
 */
export async function lockTenant (tx: AnyDb, tenantId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${LOCK_NAMESPACE}::int, hashtext(${tenantId}::text))`)
}
