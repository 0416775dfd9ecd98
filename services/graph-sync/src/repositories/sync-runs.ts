import { and, desc, eq, isNull, lt, or, sql } from 'drizzle-orm'
import type { SyncMode } from '@m365/contracts'
import type { AnyDb } from '@m365/db'
import { syncAttempts, syncRuns } from '../db/schema.js'

export type SyncRun = typeof syncRuns.$inferSelect

export interface Published { skus: boolean, upserted: number, removed: number, completed: boolean }

export interface NewRun {
  syncId: string
  tenantId: string
  clientId: string
  reason: 'schedule' | 'connected' | 'manual' | 'retry'
  requestedMode: SyncMode
  requestedAt: Date
}

/** The run's row, created on first sight (the job may arrive before or after whoever enqueued it wrote it). */
export async function ensureRun (db: AnyDb, run: NewRun): Promise<SyncRun> {
  await db.insert(syncRuns).values(run).onConflictDoNothing()
  const [row] = await db.select().from(syncRuns).where(eq(syncRuns.syncId, run.syncId))
  if (!row) throw new Error(`sync run ${run.syncId} vanished`)
  return row
}

export async function deleteRun (db: AnyDb, syncId: string): Promise<void> {
  await db.delete(syncRuns).where(eq(syncRuns.syncId, syncId))
  await db.delete(syncAttempts).where(eq(syncAttempts.syncId, syncId))
}

/** A run whose job could not be queued, unless a worker took it up after all: gone, so a retry can use its id. */
export async function deleteUnstartedRun (db: AnyDb, syncId: string): Promise<void> {
  await db.delete(syncRuns).where(and(eq(syncRuns.syncId, syncId), eq(syncRuns.phase, 'queued'), eq(syncRuns.attempts, 0)))
}

export async function getRun (db: AnyDb, syncId: string): Promise<SyncRun | undefined> {
  const [row] = await db.select().from(syncRuns).where(eq(syncRuns.syncId, syncId))
  return row
}

/**
 * A tenant's runs for the client, newest first, keyset-paged on (requested_at, sync_id). A tenant that
 * moved keeps its former client's runs until that client is deleted: they are not the new client's.
 */
export async function listRuns (db: AnyDb, clientId: string, tenantId: string, limit: number, after?: { requestedAt: Date, syncId: string }): Promise<SyncRun[]> {
  const position = after
    ? or(lt(syncRuns.requestedAt, after.requestedAt), and(eq(syncRuns.requestedAt, after.requestedAt), lt(syncRuns.syncId, after.syncId)))
    : undefined
  return await db.select().from(syncRuns)
    .where(and(eq(syncRuns.tenantId, tenantId), eq(syncRuns.clientId, clientId), position))
    .orderBy(desc(syncRuns.requestedAt), desc(syncRuns.syncId))
    .limit(limit)
}

/** Runs of a tenant that committed but did not finish publishing (a worker died after the commit). */
export async function unpublishedRuns (db: AnyDb, tenantId: string): Promise<SyncRun[]> {
  return await db.select().from(syncRuns)
    .where(and(eq(syncRuns.tenantId, tenantId), eq(syncRuns.phase, 'publishing')))
    .orderBy(syncRuns.committedAt)
}

/** Counts the attempt and records who runs it; returns the attempt number. */
export async function startAttempt (db: AnyDb, syncId: string, tenantId: string, worker: string): Promise<number> {
  return await db.transaction(async (tx) => {
    const [row] = await tx.update(syncRuns)
      .set({ attempts: sql`${syncRuns.attempts} + 1`, phase: 'fetching', error: null, startedAt: sql`coalesce(${syncRuns.startedAt}, now())`, updatedAt: sql`now()` })
      .where(eq(syncRuns.syncId, syncId))
      .returning({ attempts: syncRuns.attempts })
    if (!row) throw new Error(`sync run ${syncId} does not exist`)
    await tx.insert(syncAttempts).values({ syncId, attempt: row.attempts, tenantId, worker, startedAt: sql`now()` as unknown as Date })
    return row.attempts
  })
}

export async function finishAttempt (db: AnyDb, syncId: string, attempt: number, outcome: 'committed' | 'failed' | 'interrupted', error?: string): Promise<void> {
  await db.update(syncAttempts)
    .set({ finishedAt: sql`now()` as unknown as Date, outcome, error: error ?? null })
    // An attempt whose lease was taken over already ended, when the lease expired.
    .where(and(eq(syncAttempts.syncId, syncId), eq(syncAttempts.attempt, attempt), isNull(syncAttempts.finishedAt)))
}

export async function updateRun (db: AnyDb, syncId: string, values: Partial<Omit<SyncRun, 'syncId'>>): Promise<void> {
  await db.update(syncRuns).set({ ...values, updatedAt: sql`now()` as unknown as Date }).where(eq(syncRuns.syncId, syncId))
}

/** Waiting for another attempt (nak'ed with backoff). */
export const markRetrying = (db: AnyDb, syncId: string, error: string) => updateRun(db, syncId, { phase: 'queued', error })

export const markFailed = (db: AnyDb, syncId: string, error: string) =>
  updateRun(db, syncId, { phase: 'failed', outcome: 'failed', error, finishedAt: sql`now()` as unknown as Date })

export const markPublished = (db: AnyDb, syncId: string, published: Published) => updateRun(db, syncId, { published })
