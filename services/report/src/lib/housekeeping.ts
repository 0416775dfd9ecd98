import { sql } from 'drizzle-orm'
import type { AnyDb } from '@m365/db'

/**
 * Drops what only grows: sent outbox rows (JetStream dedupes for minutes, a day is plenty),
 * processed-event ids long past any redelivery, and staged syncs that were applied (kept a while
 * for late SKUs) or never completed (a failed sync's batches).
 */
export async function pruneOldRows (db: AnyDb): Promise<void> {
  await db.execute(sql`delete from report.outbox where sent_at < now() - interval '1 day'`)
  await db.execute(sql`delete from report.processed_events where processed_at < now() - interval '30 days'`)
  await db.execute(sql`delete from report.staged_syncs where received_at < now() - interval '7 days'`)
}
