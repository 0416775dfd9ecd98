import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import t, { type Test } from 'tap'
import { createEvent, SyncRequested } from '@m365/contracts'
import { createTenant, currentSnapshot, MSP, setup, UNPACED_REPORT, waitFor, waitForRun, type Harness } from '../helper.js'

const root = new URL('../..', import.meta.url).pathname

/** graph-sync as its own process (src/server.ts), as a container runs it. */
function startWorker (t: Test, h: Harness, env: Record<string, string>) {
  const child = spawn(process.execPath, ['--conditions=@m365/source', '--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    env: { ...process.env, ...h.env({ HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn', ...env }) },
    stdio: ['ignore', 'inherit', 'inherit']
  })
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  return child
}

async function enqueue (h: Harness, tenantId: string, clientId: string): Promise<string> {
  const syncId = randomUUID()
  await h.bus.publish(SyncRequested, createEvent(SyncRequested, {
    syncId, tenantId, clientId, mode: 'full', reason: 'manual', requestedAt: new Date().toISOString()
  }, { id: syncId }))
  return syncId
}

t.test('a worker process killed mid-paging: the previous snapshot stays current, another worker completes the sync', async (t) => {
  const h = await setup(t, { fixture: 'none' })
  const settings = { ...UNPACED_REPORT, GRAPH_PAGE_SIZE: '5', SYNC_LEASE_TTL_MS: '2000', SYNC_ACK_WAIT_MS: '3000' }
  const worker = startWorker(t, h, settings)
  const tenantId = createTenant(h.sim, { displayName: 'Killed Worker Ltd', userCount: 40, reportThrottle: null })
  const { clientId, syncId: first } = await h.connect(tenantId)
  const base = await waitForRun(h.sql, first)
  t.equal(base.outcome, 'completed', 'the child process synced the tenant once')
  const before = await currentSnapshot(h.sql, tenantId)

  h.sim.admin.setFaults(tenantId, { slowPageMs: 400, onlyPaths: ['/v1.0/users'] })
  const syncId = await enqueue(h, tenantId, clientId)
  await waitForRun(h.sql, syncId, (r) => r.phase === 'fetching' && (r.pages as number) >= 2, 30_000)
  worker.kill('SIGKILL')
  await once(worker, 'exit')

  const during = await currentSnapshot(h.sql, tenantId)
  t.equal(during.syncId, first, 'the previous snapshot is current')
  t.same(during.rows, before.rows, 'and readable as it was')
  const [lease] = await h.sql`select holder from graph_sync.tenant_leases where tenant_id = ${tenantId}`
  t.ok(lease, 'the dead worker still holds the lease until it expires')

  h.sim.admin.setFaults(tenantId, null)
  await h.build(settings)
  const run = await waitForRun(h.sql, syncId)
  t.equal(run.outcome, 'completed', String(run.error))
  t.equal((await currentSnapshot(h.sql, tenantId)).syncId, syncId)
  const attempts = await h.sql`select worker, started_at, finished_at, outcome from graph_sync.sync_attempts where sync_id = ${syncId} order by attempt`
  t.same(attempts.map((a) => a.outcome), ['abandoned', 'committed'])
  t.not(attempts[0]!.worker, attempts[1]!.worker)
  t.ok(attempts[1]!.started_at >= attempts[0]!.finished_at, 'the second attempt began after the first one\'s lease ran out')
})

t.test('two app instances on one database and one NATS namespace never sync one tenant at once', async (t) => {
  const h = await setup(t, { fixture: 'none' })
  // A long lease TTL: on a loaded machine a 3 s lease can expire under a stalled event loop, which
  // is the takeover the killed-worker test is about, not what this one counts.
  const settings = { ...UNPACED_REPORT, SYNC_CONCURRENCY: '4', SYNC_RETRY_BASE_MS: '100', SYNC_LEASE_TTL_MS: '30000' }
  const apps = [await h.build(settings), await h.build(settings)]
  const tenants = [
    createTenant(h.sim, { displayName: 'Busy One', userCount: 12, reportThrottle: null }),
    createTenant(h.sim, { displayName: 'Busy Two', userCount: 12, reportThrottle: null })
  ]
  const clients = new Map<string, string>()
  const firsts: string[] = []
  for (const tenantId of tenants) {
    const { clientId, syncId } = await h.connect(tenantId)
    clients.set(tenantId, clientId)
    firsts.push(syncId)
    h.sim.admin.setFaults(tenantId, { slowPageMs: 40 })
  }
  // the connection is an event: until an instance has consumed it, the tenant is unknown (404)
  for (const syncId of firsts) await waitForRun(h.sql, syncId, () => true)
  const syncIds = [...firsts]
  for (let i = 0; i < 5; i++) {
    for (const tenantId of tenants) {
      const res = await apps[i % 2]!.inject({ method: 'POST', url: `/v1/clients/${clients.get(tenantId)}/tenants/${tenantId}/sync`, headers: MSP })
      t.equal(res.statusCode, 202)
      syncIds.push(res.json<{ syncId: string }>().syncId)
    }
  }
  for (const syncId of syncIds) {
    const run = await waitForRun(h.sql, syncId, undefined, 120_000)
    t.equal(run.outcome, 'completed', `${syncId}: ${String(run.error)}`)
  }
  const attempts = await h.sql<Array<{ tenant_id: string, worker: string, started_at: Date, finished_at: Date, error: string | null }>>`
    select tenant_id, worker, started_at, finished_at, error from graph_sync.sync_attempts order by tenant_id, started_at`
  t.equal(attempts.length, syncIds.length, `one attempt per sync ${JSON.stringify(attempts.filter((a) => a.error).map((a) => a.error))}`)
  for (const tenantId of tenants) {
    const runs = attempts.filter((a) => a.tenant_id === tenantId)
    for (let i = 1; i < runs.length; i++) {
      t.ok(runs[i]!.started_at >= runs[i - 1]!.finished_at, `${tenantId}: attempt ${i + 1} started after attempt ${i} finished`)
    }
  }
  t.equal(new Set(attempts.map((a) => a.worker)).size, 2, 'both instances ran syncs')
  await waitFor(async () => (await h.sql`select 1 from graph_sync.tenant_leases`).length === 0, 'every lease released')
})
