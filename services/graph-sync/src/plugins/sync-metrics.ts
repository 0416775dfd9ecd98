import { Counter, Histogram } from 'prom-client'
import type { Registry } from 'prom-client'

export type AttemptOutcome = 'completed' | 'retrying' | 'failed' | 'interrupted' | 'busy'

/** What an operator wants from the workers: how syncs end, how long they take, how often tenants are busy. */
export interface SyncMetrics {
  attempt (outcome: AttemptOutcome, seconds?: number): void
}

export function createSyncMetrics (registry: Registry): SyncMetrics {
  const registers = [registry]
  const attempts = new Counter({
    name: 'graph_sync_attempts_total',
    help: 'Sync jobs by how they ended: completed, retrying, failed (for good), interrupted (shutdown), busy (tenant locked)',
    labelNames: ['outcome'],
    registers
  })
  const duration = new Histogram({
    name: 'graph_sync_attempt_duration_seconds',
    help: 'Duration of sync attempts that ran (fetch, commit, publish)',
    labelNames: ['outcome'],
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600],
    registers
  })
  return {
    attempt (outcome, seconds) {
      attempts.inc({ outcome })
      if (seconds !== undefined) duration.observe({ outcome }, seconds)
    }
  }
}
