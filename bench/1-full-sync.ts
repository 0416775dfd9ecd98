import { randomUUID } from 'node:crypto'
import type { Benchmark, BenchContext } from './lib/context.js'
import { copyUsersBare, pageUsersBare } from './lib/floors.js'
import { startService, type Service } from './lib/launcher.js'
import { atMost, below, largerFloor, measure, type Measure } from './lib/ratios.js'
import { RssSampler } from './lib/rss.js'
import { connectTenant, readModelUsers, syncMilestones, waitForReadModel } from './lib/sync.js'
import { fmt, TENANT_MIX } from './lib/tenants.js'
import { formatMs, now } from './lib/timing.js'

const BENCH = '1. full sync'

/**
 * A full sync of one tenant end to end: tenant.connected published → graph-sync (its own process)
 * fetches and stages everything, swaps the snapshot and publishes the batches → report (its own
 * process) applies them; the clock stops when report's read model holds the sync. Floors: the same
 * users paged with bare undici, and the same rows COPYed into Postgres. graph-sync runs fresh for
 * each tenant size, so its VmHWM is the peak of that one sync.
 */
async function run (ctx: BenchContext): Promise<Measure[]> {
  const { env, sizes, log } = ctx
  const measures: Measure[] = []
  const report = await startService('report', env.serviceEnv, { label: 'report-1', cpuProf: env.cpuProf })
  try {
    const all = [...new Set([...sizes.rssUsers, sizes.syncUsers])].sort((a, b) => a - b)
    for (const users of all) {
      const result = await syncOnce(ctx, report, users, 0)
      const floor = largerFloor(result.paging, result.copy)
      const main = users === sizes.syncUsers
      measures.push(measure({
        bench: BENCH,
        name: `sync of ${fmt(users)} users, end to end`,
        value: result.syncMs,
        unit: 'ms',
        floor,
        ...(main ? { target: atMost(1.3) } : {}),
        note: `paging floor ${formatMs(result.paging.value)}, COPY floor ${formatMs(result.copy.value)}; graph-sync fetch+stage ${formatMs(result.milestones.fetchAndStageMs)}, publish ${formatMs(result.milestones.publishMs)}`
      }))
      measures.push(measure({
        bench: BENCH,
        name: `graph-sync peak RSS, ${fmt(users)} users`,
        value: result.peakMb,
        unit: 'MB',
        target: below(300, 'value'),
        note: `idle after start ${result.idleMb.toFixed(0)} MB`
      }))
    }
    if (sizes.latencyMs > 0) {
      const result = await syncOnce(ctx, report, sizes.latencyUsers, sizes.latencyMs)
      measures.push(measure({
        bench: BENCH,
        name: `sync of ${fmt(sizes.latencyUsers)} users, ${sizes.latencyMs} ms per users page`,
        value: result.syncMs,
        unit: 'ms',
        floor: result.paging,
        target: atMost(1.1),
        note: `graph-sync fetch+stage ${formatMs(result.milestones.fetchAndStageMs)}, publish ${formatMs(result.milestones.publishMs)}`
      }))
    }
  } finally {
    await report.stop()
  }
  log(`${BENCH}: done`)
  return measures
}

async function syncOnce (ctx: BenchContext, report: Service, users: number, latencyMs: number) {
  const { env, log } = ctx
  const tenantId = await env.sim.createTenant({ displayName: `Full ${users}`, seed: users, userCount: users, mix: TENANT_MIX })
  if (latencyMs > 0) {
    // every page of the users listing (and of users/delta) waits this long in the simulator
    await env.sim.admin('PUT', `/tenants/${tenantId}/faults`, { faults: { slowPageMs: latencyMs, onlyPaths: ['/v1.0/users'] } })
  }
  const listing = await pageUsersBare(env.sim, tenantId, { keep: latencyMs === 0 })
  const paging = { name: 'bare paging', value: listing.ms }
  let copy = { name: 'COPY', value: 0 }
  if (latencyMs === 0) copy = { name: 'COPY', value: (await copyUsersBare(env.sql, listing.users)).ms }
  log(`${BENCH}: ${fmt(users)} users${latencyMs ? ` (+${latencyMs} ms/page)` : ''}: paging floor ${formatMs(paging.value)} (${listing.pages} pages), COPY floor ${formatMs(copy.value)}`)
  listing.users.length = 0

  const graphSync = await startService('graph-sync', env.serviceEnv, { label: `graph-sync-1-${users}${latencyMs ? '-latency' : ''}`, cpuProf: env.cpuProf })
  const sampler = new RssSampler(graphSync.pid, 100)
  try {
    await new Promise((resolve) => setTimeout(resolve, 500))
    const idleMb = sampler.samples.at(-1)?.rssMb ?? 0
    const start = now()
    const { syncId } = await connectTenant(env, tenantId, randomUUID())
    const end = await waitForReadModel(env.sql, tenantId, syncId)
    const syncMs = end - start
    const { peakMb } = await sampler.stop()
    const milestones = await syncMilestones(env.sql, syncId)
    const held = await readModelUsers(env.sql, tenantId)
    if (held !== users) throw new Error(`report holds ${held} users of tenant ${tenantId}, expected ${users}`)
    const stats = await env.sim.admin<{ requests: Record<string, number> }>('GET', `/tenants/${tenantId}/stats`)
    log(`${BENCH}: ${fmt(users)} users: Graph requests (floor included) ${Object.entries(stats.requests).map(([k, n]) => `${k} ${fmt(n)}`).join(', ')}`)
    log(`${BENCH}: ${fmt(users)} users: synced end to end in ${formatMs(syncMs)} (fetch+stage ${formatMs(milestones.fetchAndStageMs)}, publish ${formatMs(milestones.publishMs)}), graph-sync peak RSS ${peakMb.toFixed(0)} MB`)
    return { syncMs, paging, copy, peakMb, idleMb, milestones }
  } finally {
    await sampler.stop()
    await graphSync.stop()
  }
}

export const fullSync: Benchmark = { id: 1, name: 'full-sync', run }
