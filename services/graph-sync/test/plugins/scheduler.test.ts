import t from 'tap'
import { createNatsBus } from '@m365/bus'
import { loadConfig } from '@m365/service-kit'
import { GraphSyncConfig } from '../../src/config.js'
import { scheduleDue } from '../../src/plugins/scheduler.js'
import { createTenant, NATS_URL, setup, waitFor, waitForRun } from '../helper.js'

t.test('the scheduler: one job per connected tenant per slot, whatever the number of replicas', async (t) => {
  const h = await setup(t, { fixture: 'none' })
  const ticking = { SCHEDULER_ENABLED: 'true', SCHEDULER_TICK_MS: '50' }
  await h.build(ticking)
  await h.build(ticking)
  const tenants: Array<{ tenantId: string, clientId: string }> = []
  for (const name of ['Sched One', 'Sched Two', 'Sched Off', 'Sched Canary']) {
    const tenantId = createTenant(h.sim, { displayName: name, userCount: 2 })
    const { clientId, syncId } = await h.connect(tenantId)
    await waitForRun(h.sql, syncId)
    tenants.push({ tenantId, clientId })
  }
  const [one, two, off, canary] = tenants as [typeof tenants[0], typeof tenants[0], typeof tenants[0], typeof tenants[0]]
  const scheduled = async (tenantId: string) => await h.sql`select * from graph_sync.sync_runs where tenant_id = ${tenantId} and reason = 'schedule'`

  await h.sql`update graph_sync.tenants set sync_interval_minutes = 5 where tenant_id = ${two.tenantId}`
  await h.sql`update graph_sync.tenants set status = 'disconnected' where tenant_id = ${off.tenantId}`
  await h.sql`update graph_sync.tenants set next_sync_at = now() - interval '1 second' where tenant_id in ${h.sql([one.tenantId, two.tenantId, off.tenantId])}`
  for (const { tenantId } of [one, two]) {
    const [run] = await waitFor(async () => { const r = await scheduled(tenantId); return r.length > 0 ? r : undefined }, 'a scheduled sync')
    t.match(run, { requested_mode: 'auto' })
    t.equal((await waitForRun(h.sql, run!.sync_id as string)).outcome, 'completed')
    t.equal((await waitForRun(h.sql, run!.sync_id as string)).mode, 'delta', 'a scheduled sync continues with delta')
  }
  const [next] = await h.sql`select next_sync_at - now() as wait from graph_sync.tenants where tenant_id = ${two.tenantId}`
  t.match(String(next!.wait), /^00:0[45]:/, 'the per-tenant interval (5 min) decides the next slot')

  // The canary proves both replicas ticked again since; still one job per tenant and slot.
  await h.sql`update graph_sync.tenants set next_sync_at = now() - interval '1 second' where tenant_id = ${canary.tenantId}`
  await waitFor(async () => (await scheduled(canary.tenantId)).length > 0, 'the canary scheduled')
  t.equal((await scheduled(one.tenantId)).length, 1, 'one job for tenant one')
  t.equal((await scheduled(two.tenantId)).length, 1, 'one job for tenant two')
  t.equal((await scheduled(off.tenantId)).length, 0, 'a disconnected tenant is not scheduled')
})

t.test('enqueueing one tenant and slot twice gives one sync (id from tenant + slot, deduplicated by JetStream)', async (t) => {
  const h = await setup(t, { fixture: 'none' })
  const app = await h.build()
  const tenantId = createTenant(h.sim, { displayName: 'Twice Ltd', userCount: 2 })
  const { syncId } = await h.connect(tenantId)
  await waitForRun(h.sql, syncId)
  const config = loadConfig(GraphSyncConfig, h.env())
  const slot = Date.now()
  for (let i = 0; i < 2; i++) {
    await h.sql`update graph_sync.tenants set next_sync_at = now() - interval '1 second' where tenant_id = ${tenantId}`
    t.equal(await scheduleDue(app, config, slot), 1)
  }
  const runs = await h.sql`select * from graph_sync.sync_runs where tenant_id = ${tenantId} and reason = 'schedule'`
  t.equal(runs.length, 1)
  const run = await waitForRun(h.sql, runs[0]!.sync_id as string)
  t.equal(run.attempts, 1, 'the job ran once')
})

t.test('a job that cannot be enqueued (the bus is down) leaves its tenant and the rest of the batch due, with no run queued', async (t) => {
  const h = await setup(t, { fixture: 'none' })
  const app = await h.build()
  const tenantIds: string[] = []
  for (const name of ['Outage One', 'Outage Two']) {
    const tenantId = createTenant(h.sim, { displayName: name, userCount: 2 })
    await waitForRun(h.sql, (await h.connect(tenantId)).syncId)
    tenantIds.push(tenantId)
  }
  const down = await createNatsBus({ url: NATS_URL, namespace: h.namespace })
  await down.close() // publish throws BusClosedError
  const config = loadConfig(GraphSyncConfig, h.env())
  const slot = Date.now()
  const scheduled = async () => await h.sql`select * from graph_sync.sync_runs where tenant_id in ${h.sql(tenantIds)} and reason = 'schedule'`
  const due = async () => await h.sql`select 1 from graph_sync.tenants where tenant_id in ${h.sql(tenantIds)} and next_sync_at <= now()`

  await h.sql`update graph_sync.tenants set next_sync_at = now() - interval '1 second' where tenant_id in ${h.sql(tenantIds)}`
  t.equal(await scheduleDue({ db: app.db, bus: down, log: app.log }, config, slot).catch((err: Error) => err.name), 0, 'logged, not thrown')
  t.same(await scheduled(), [], 'no run waits as queued for a job that never came')
  t.equal((await due()).length, 2, 'both tenants stay due')

  t.equal(await scheduleDue(app, config, slot), 2, 'the next tick, in the same slot, enqueues both')
  for (const run of await scheduled()) {
    t.equal((await waitForRun(h.sql, run.sync_id as string)).outcome, 'completed')
  }
})
