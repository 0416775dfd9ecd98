import type { FastifyBaseLogger } from 'fastify'
import { startPollLoop, type PollLoop } from '../lib/poll-loop.js'
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
export function startBackfillWorker (options: BackfillWorkerOptions): { runner: PollLoop, scheduler: PollLoop } {
  const runner = startPollLoop({
    name: 'backfill',
    log: options.log,
    pollMs: options.pollMs,
    async pass () {
      const run = await claimBackfill(options.db, options.staleMs)
      if (!run) return false
      await runBackfill(options, run)
      return true
    }
  })
  const scheduler = startPollLoop({
    name: 'backfill-scheduler',
    log: options.log,
    pollMs: options.schedulerTickMs,
    async pass () {
      const queued = await scheduleDueBackfills(options.db, options.intervalMinutes)
      if (queued > 0) {
        options.log.info({ queued }, 'scheduled backfills queued')
        runner.wake()
      }
      return false
    }
  })
  return { runner, scheduler }
}
