import type { FastifyInstance } from 'fastify'
import type { GraphSyncConfig } from '../config.js'
import { uuidFromName } from '../lib/ids.js'
import { deleteUnstartedRun } from '../repositories/sync-runs.js'
import { claimDueTenants, releaseClaims } from '../repositories/tenants.js'
import { enqueueSync } from '../sync/enqueue.js'

/**
 * Enqueues a sync per connected tenant every interval. Each tick claims the tenants that are due in
 * one statement (moving them to their next slot, SKIP LOCKED), so several replicas never schedule a
 * tenant twice; the sync id, and so the job's message id, is derived from tenant and time slot, so
 * a job enqueued twice anyway is stored once by JetStream. Returns how many it enqueued.
 */
export async function scheduleDue (app: Pick<FastifyInstance, 'db' | 'bus' | 'log'>, config: GraphSyncConfig, now = Date.now()): Promise<number> {
  const due = await claimDueTenants(app.db, config.SYNC_INTERVAL_MINUTES)
  for (const [i, tenant] of due.entries()) {
    const slot = Math.floor(now / (tenant.intervalMinutes * 60_000))
    const syncId = uuidFromName(`schedule:${tenant.tenantId}:${tenant.intervalMinutes}:${slot}`)
    try {
      await enqueueSync(app.db, app.bus, { syncId, tenantId: tenant.tenantId, clientId: tenant.clientId, reason: 'schedule', mode: 'auto' })
    } catch (err) {
      // The bus is down, most likely: the rest of the batch would fail alike, so it all waits for the next
      // tick. The run goes rather than failing: a retry in the same slot has its id, and a worker skips
      // the job of a run that already ended.
      await deleteUnstartedRun(app.db, syncId)
      await releaseClaims(app.db, due.slice(i).map((t) => t.tenantId))
      app.log.warn({ err, tenants: due.length - i }, 'could not enqueue scheduled syncs; they stay due for the next tick')
      return i
    }
  }
  return due.length
}

export default async function scheduler (app: FastifyInstance, opts: { config: GraphSyncConfig }) {
  const { config } = opts
  if (!config.SCHEDULER_ENABLED) return
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> = Promise.resolve()
  let stopped = false
  const tick = () => {
    running = scheduleDue(app, config)
      .then((count) => { if (count > 0) app.log.info({ count }, 'scheduled syncs') })
      .catch((err: unknown) => app.log.warn({ err }, 'scheduler tick failed'))
      .finally(() => { if (!stopped) timer = setTimeout(tick, config.SCHEDULER_TICK_MS) })
  }
  app.addHook('onReady', async () => { tick() })
  app.addHook('onClose', async () => {
    stopped = true
    clearTimeout(timer)
    await running
  })
}
