import type { FastifyBaseLogger } from 'fastify'
import { createWorkLoop, type WorkLoop } from '@m365/service-kit'
import { runBackfill, type BackfillDeps } from './runner.js'
import { claimBackfill, scheduleDueBackfills } from './runs.js'

export interface BackfillWorkerOptions extends BackfillDeps {
  pollMs: number
  staleMs: number
  intervalMinutes: number
  schedulerTickMs: number
  log: FastifyBaseLogger
}

/** Runs queued backfills one at a time per replica, and queues scheduled ones every scheduler tick. */
export function startBackfillWorker (options: BackfillWorkerOptions): { runner: WorkLoop, scheduler: WorkLoop } {
  const runner = createWorkLoop({
    name: 'backfill',
    log: options.log,
    intervalMs: options.pollMs,
    async work () {
      const run = await claimBackfill(options.db, options.staleMs)
      if (!run) return false
      await runBackfill(options, run)
      return true
    }
  }).start()
  const scheduler = createWorkLoop({
    name: 'backfill-scheduler',
    log: options.log,
    intervalMs: options.schedulerTickMs,
    // not during start-up: replicas starting together do not all scan at once, and what a restart missed waits one tick
    firstPassAfterInterval: true,
    async work () {
      const queued = await scheduleDueBackfills(options.db, options.intervalMinutes)
      if (queued > 0) {
        options.log.info({ queued }, 'scheduled backfills queued')
        runner.wake()
      }
      return false
    }
  }).start()
  return { runner, scheduler }
}
