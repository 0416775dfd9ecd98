import type { EventBus } from '@m365/bus'
import { createEvent, SyncRequested, type SyncMode } from '@m365/contracts'
import type { AnyDb } from '@m365/db'
import { ensureRun, type SyncRun } from '../repositories/sync-runs.js'

export interface SyncRequest {
  syncId: string
  tenantId: string
  clientId: string
  reason: 'schedule' | 'connected' | 'manual' | 'retry'
  mode: SyncMode
}

/**
 * Records the run as queued and puts the job on the work queue. The event id is the sync id, so
 * enqueueing one sync twice (a redelivered tenant.connected, two scheduler ticks for one slot) within
 * JetStream's duplicate window stores one job, and the run row exists once in any case.
 */
export async function enqueueSync (db: AnyDb, bus: EventBus, request: SyncRequest): Promise<SyncRun> {
  const requestedAt = new Date()
  const run = await ensureRun(db, { ...request, requestedMode: request.mode, requestedAt })
  await bus.publish(SyncRequested, createEvent(SyncRequested, { ...request, requestedAt: run.requestedAt.toISOString() }, { id: request.syncId }))
  return run
}

/** Redelivery delay of a failed or busy job: base · 2^(attempt-1), capped at 10 minutes, ±20 % jitter. */
export function jobBackoff (baseMs: number, random = Math.random): (attempt: number) => number {
  return (attempt) => {
    const delay = Math.min(600_000, baseMs * 2 ** Math.max(0, attempt - 1))
    return Math.round(delay * (0.8 + 0.4 * random()))
  }
}
