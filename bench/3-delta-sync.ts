import type { Benchmark, BenchContext } from './lib/context.js'
import { startService } from './lib/launcher.js'
import { below, measure, type Measure } from './lib/ratios.js'
import { connectTenant, readModelUsers, requestSync, syncMilestones, waitForReadModel } from './lib/sync.js'
import { fmt, tenantInput, type TenantProfile } from './lib/tenants.js'
import { formatMs, now } from './lib/timing.js'

const BENCH = '3. delta sync'
/** Delta syncs measured, each after its own share of users changed; the median is the figure (one takes ≈ 0.5 s, so noise counts). */
const ROUNDS = 3

/**
 * A tenant synced in full (timed end to end), then a share of its users changed in the simulator
 * (display name and job title), then a delta sync (users/delta from the stored link) timed the same
 * way: from sync.requested to report's read model holding the sync; ROUNDS times, the median counts. Directory-only by default
 * (BENCH_DELTA_PROFILE=mfa: with MFA data, where both syncs walk the whole registration report at
 * Graph's pace, so the delta cannot be much shorter than the full sync).
 */
async function run (ctx: BenchContext): Promise<Measure[]> {
  const { env, sizes, log } = ctx
  const users = sizes.deltaUsers
  const profile: TenantProfile = process.env.BENCH_DELTA_PROFILE === 'mfa' ? 'mfa' : 'directory'
  const tenantId = await env.sim.createTenant(tenantInput(profile, { displayName: `Delta ${users}`, seed: 7 + users, userCount: users }))
  const report = await startService('report', env.serviceEnv, { label: 'report-3', cpuProf: env.cpuProf })
  const graphSync = await startService('graph-sync', env.serviceEnv, { label: 'graph-sync-3', cpuProf: env.cpuProf })
  try {
    const fullStart = now()
    const { clientId, syncId: fullId } = await connectTenant(env, tenantId)
    const fullMs = await waitForReadModel(env.sql, tenantId, fullId) - fullStart
    const full = await syncMilestones(env.sql, fullId)
    log(`${BENCH}: full sync of ${fmt(users)} users in ${formatMs(fullMs)} (fetch+stage ${formatMs(full.fetchAndStageMs)})`)

    const changed = Math.round(users * sizes.deltaChangedShare)
    const ids = await env.sql<Array<{ id: string }>>`
      select user_id::text as id from report.o365_users where tenant_id = ${tenantId} and object_type = 'user' and not deleted
      order by user_id`
    const step = Math.max(1, Math.floor(ids.length / changed))
    const rounds: Array<{ ms: number, fetchAndStageMs: number, publishMs: number }> = []
    for (let round = 1; round <= ROUNDS; round++) {
      // a different share of the users each round, so every delta carries the same amount of change
      const targets = ids.filter((_, i) => i % step === round % step).slice(0, changed).map((r) => r.id)
      await renameUsers(env, tenantId, targets, round)
      const deltaStart = now()
      const deltaId = await requestSync(env, tenantId, clientId, 'delta')
      const ms = await waitForReadModel(env.sql, tenantId, deltaId) - deltaStart
      const delta = await syncMilestones(env.sql, deltaId)
      if (delta.mode !== 'delta') throw new Error(`sync ${round + 1} ran as ${delta.mode}, not delta`)
      const [renamed] = await env.sql<Array<{ n: number }>>`
        select count(*)::int as n from report.o365_users where tenant_id = ${tenantId} and display_name like ${`Renamed ${round} %`}`
      if (renamed!.n !== targets.length) throw new Error(`report shows ${renamed!.n} users renamed in round ${round}, expected ${targets.length}`)
      if (await readModelUsers(env.sql, tenantId) !== users) throw new Error('the delta sync changed the number of users')
      log(`${BENCH}: delta ${round} of ${fmt(targets.length)} changed users in ${formatMs(ms)} (fetch+stage ${formatMs(delta.fetchAndStageMs)}, publish ${formatMs(delta.publishMs)})`)
      rounds.push({ ms, fetchAndStageMs: delta.fetchAndStageMs, publishMs: delta.publishMs })
    }
    const median = [...rounds].sort((a, b) => a.ms - b.ms)[Math.floor(rounds.length / 2)]!
    return [measure({
      bench: BENCH,
      name: `delta sync of ${fmt(users)} users (${profile === 'mfa' ? 'with MFA data' : 'directory only'}), ${fmt(changed)} changed — median of ${ROUNDS}`,
      value: median.ms,
      unit: 'ms',
      floor: { name: 'full sync', value: fullMs },
      target: below(0.05),
      note: `graph-sync fetch+stage ${formatMs(median.fetchAndStageMs)}, publish ${formatMs(median.publishMs)}; rounds ${rounds.map((r) => formatMs(r.ms)).join(', ')}`
    })]
  } finally {
    await graphSync.stop()
    await report.stop()
  }
}

/** Renames the users in the simulator, 16 requests in flight. */
async function renameUsers (env: BenchContext['env'], tenantId: string, ids: readonly string[], round: number): Promise<void> {
  let next = 0
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < ids.length) {
      const id = ids[next++]!
      await env.sim.admin('PATCH', `/tenants/${tenantId}/users/${id}`, { displayName: `Renamed ${round} ${id.slice(0, 8)}`, jobTitle: `Changed by the benchmark (${round})` })
    }
  }))
}

export const deltaSync: Benchmark = { id: 3, name: 'delta-sync', run }
