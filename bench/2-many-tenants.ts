import type { Benchmark, BenchContext } from './lib/context.js'
import { startService, type Service } from './lib/launcher.js'
import { measure, type Measure } from './lib/ratios.js'
import { RssSampler } from './lib/rss.js'
import { connectTenant } from './lib/sync.js'
import { fmt, tenantInput } from './lib/tenants.js'
import { formatMs, now, waitFor } from './lib/timing.js'

const BENCH = '2. many tenants'

/**
 * Many small tenants connected at once (each tenant.connected queues a full sync on the shared work
 * queue), synced by one graph-sync process, then a fresh set by two processes sharing the queue.
 * Throughput is users in report's read model per second, from the first tenant.connected to the
 * last tenant applied.
 */
async function run (ctx: BenchContext): Promise<Measure[]> {
  const { env, sizes } = ctx
  const report = await startService('report', env.serviceEnv, { label: 'report-2', cpuProf: env.cpuProf })
  try {
    const one = await syncAll(ctx, 1)
    const two = await syncAll(ctx, 2)
    const users = sizes.tenants * sizes.usersPerTenant
    const rate = (ms: number) => users / (ms / 1000)
    return [
      measure({
        bench: BENCH,
        name: `${fmt(sizes.tenants)} tenants × ${fmt(sizes.usersPerTenant)} users, one graph-sync process`,
        value: rate(one.ms),
        unit: 'users/s',
        note: `${formatMs(one.ms)}, peak RSS ${one.peaks.map((p) => p.toFixed(0)).join('/')} MB`
      }),
      measure({
        bench: BENCH,
        name: `${fmt(sizes.tenants)} tenants × ${fmt(sizes.usersPerTenant)} users, two graph-sync processes`,
        value: rate(two.ms),
        unit: 'users/s',
        floor: { name: 'one process', value: rate(one.ms) },
        note: `${formatMs(two.ms)}, peak RSS ${two.peaks.map((p) => p.toFixed(0)).join('/')} MB; ratio = scaling from one process to two`
      })
    ]
  } finally {
    await report.stop()
  }
}

async function syncAll (ctx: BenchContext, processes: number) {
  const { env, sizes, log } = ctx
  const tenants: string[] = []
  for (let i = 0; i < sizes.tenants; i++) {
    tenants.push(await env.sim.createTenant(tenantInput('mfa', { displayName: `Many ${processes}.${i}`, seed: 1000 * processes + i, userCount: sizes.usersPerTenant })))
  }
  const workers: Service[] = []
  const samplers: RssSampler[] = []
  try {
    for (let p = 0; p < processes; p++) {
      const worker = await startService('graph-sync', env.serviceEnv, { label: `graph-sync-2-${processes}.${p}`, cpuProf: env.cpuProf })
      workers.push(worker)
      samplers.push(new RssSampler(worker.pid, 250))
    }
    const start = now()
    for (const tenantId of tenants) await connectTenant(env, tenantId)
    const end = await waitFor(`${tenants.length} tenants in report's read model`, async () => {
      const [row] = await env.sql<Array<{ n: number }>>`
        select count(*)::int as n from report.tenant_sync_state where tenant_id = any(${tenants}::uuid[])`
      return row!.n === tenants.length ? now() : undefined
    }, { timeoutMs: 1_800_000, intervalMs: 100 })
    const peaks = await Promise.all(samplers.map(async (s) => (await s.stop()).peakMb))
    log(`${BENCH}: ${tenants.length} tenants with ${processes} graph-sync process(es): ${formatMs(end - start)}`)
    return { ms: end - start, peaks }
  } finally {
    for (const s of samplers) await s.stop()
    await Promise.all(workers.map((w) => w.stop()))
  }
}

export const manyTenants: Benchmark = { id: 2, name: 'many-tenants', run }
