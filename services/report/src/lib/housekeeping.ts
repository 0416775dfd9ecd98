import { sql } from 'drizzle-orm'
import type { AnyDb } from '@m365/db'
import { pruneSentOutbox } from '@m365/service-kit/outbox'
import { outbox } from '../db/schema.js'

/** JetStream dedupes for minutes: a day of sent events is plenty. */
export const OUTBOX_KEEP_SENT_MS = 86_400_000

/**
 * Drops what only grows: sent outbox rows, processed-event ids long past any redelivery, and staged
 * syncs that were applied (kept a while, so a redelivered event of theirs finds them) or never
 * completed (a failed sync's batches).
 */
export async function pruneOldRows (db: AnyDb): Promise<void> {
  await pruneSentOutbox(db, outbox, OUTBOX_KEEP_SENT_MS)
  await db.execute(sql`delete from report.processed_events where processed_at < now() - interval '30 days'`)
  await db.execute(sql`delete from report.staged_syncs where received_at < now() - interval '7 days'`)
}
