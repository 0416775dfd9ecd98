import { randomUUID } from 'node:crypto'
import { and, eq, sql } from 'drizzle-orm'
import type { BackfillRun } from '@m365/api'
import { queryRows, type AnyDb } from '@m365/db'
import { notFound } from '@m365/service-kit'
import { backfillRuns, psaConnections } from '../db/schema.js'

type Row = typeof backfillRuns.$inferSelect

export function runView (row: Row): BackfillRun {
  const iso = (d: Date | null) => d?.toISOString() ?? null
  return {
    id: row.id,
    connectionId: row.connectionId,
    trigger: row.trigger,
    status: row.status,
    createdAt: row.createdAt.toISOString(),
    startedAt: iso(row.startedAt),
    finishedAt: iso(row.finishedAt),
    pages: row.pages,
    contactsSeen: row.contactsSeen,
    upserted: row.upserted,
    unchanged: row.unchanged,
    tombstoned: row.tombstoned,
    invalid: row.invalid,
    error: row.error
  }
}

/** Queues a backfill of the connection, or returns the one already queued or running (one at a time per connection). */
export async function requestBackfill (db: AnyDb, connectionId: string, trigger: 'manual' | 'schedule'): Promise<BackfillRun> {
  const [connection] = await db.select({ id: psaConnections.id }).from(psaConnections).where(eq(psaConnections.id, connectionId))
  if (!connection) throw notFound(`PSA connection ${connectionId}`)
  const [created] = await db.insert(backfillRuns).values({ id: randomUUID(), connectionId, trigger })
    .onConflictDoNothing().returning()
  if (created) return runView(created)
  const [active] = await db.select().from(backfillRuns)
    .where(and(eq(backfillRuns.connectionId, connectionId), sql`${backfillRuns.status} in ('queued', 'running')`))
  if (active) return runView(active)
  return await requestBackfill(db, connectionId, trigger) // it finished in between
}

export async function getBackfill (db: AnyDb, connectionId: string, runId: string): Promise<BackfillRun> {
  const [row] = await db.select().from(backfillRuns).where(and(eq(backfillRuns.id, runId), eq(backfillRuns.connectionId, connectionId)))
  if (!row) throw notFound(`backfill run ${runId} of PSA connection ${connectionId}`)
  return runView(row)
}

/**
 * Queues a scheduled backfill for every connection that can be pulled (credentials and at least one mapped company)
 * and has had no run for `intervalMinutes`. Replicas may all call it: the active-run index keeps one per connection.
 */
export async function scheduleDueBackfills (db: AnyDb, intervalMinutes: number): Promise<number> {
  const rows = await queryRows<{ id: string }>(db, sql`
    insert into contacts_ingest.backfill_runs (id, connection_id, trigger)
    select gen_random_uuid(), c.id, 'schedule' from contacts_ingest.psa_connections c
    where c.credentials is not null
      and exists (select 1 from contacts_ingest.company_mappings m where m.connection_id = c.id)
      and not exists (select 1 from contacts_ingest.backfill_runs r where r.connection_id = c.id
        and (r.status in ('queued', 'running') or r.created_at > now() - (${intervalMinutes * 60_000} * interval '1 millisecond')))
    on conflict do nothing
    returning id`)
  return rows.length
}

export interface ClaimedRun { id: string, connectionId: string, startedAt: Date }

/** Takes a queued run, or a running one whose worker stopped sending heartbeats (it died), and marks it running. */
export async function claimBackfill (db: AnyDb, staleMs: number): Promise<ClaimedRun | undefined> {
  const [row] = await queryRows<{ id: string, connection_id: string, started_at: Date | string }>(db, sql`
    update contacts_ingest.backfill_runs r
    set status = 'running', started_at = now(), heartbeat_at = now(), pages = 0, contacts_seen = 0, upserted = 0,
      unchanged = 0, tombstoned = 0, invalid = 0, error = null
    where r.id = (
      select id from contacts_ingest.backfill_runs
      where status = 'queued' or (status = 'running' and heartbeat_at < now() - (${staleMs} * interval '1 millisecond'))
      order by created_at limit 1 for update skip locked)
    returning r.id, r.connection_id, r.started_at`)
  return row && { id: row.id, connectionId: row.connection_id, startedAt: new Date(row.started_at) }
}
