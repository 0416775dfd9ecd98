import { randomUUID } from 'node:crypto'
import t from 'tap'
import { createEvent, MAX_BATCH, O365SkusReplaced, O365UsersUpserted, SyncCompleted, SyncRequested } from '@m365/contracts'
import { createTenant, currentSnapshot, requestSync, setup, UNPACED_REPORT, waitForRun } from '../helper.js'

t.test('events go out after the commit, in batches of at most MAX_BATCH with deterministic ids', async (t) => {
  // On arrival of each event: which snapshot is current at that moment?
  const h = await setup(t, {
    fixture: 'none',
    annotate: async (event, h) => {
      const tenantId = (event.data as { tenantId: string }).tenantId
      const [row] = await h.sql`select current_sync_id from graph_sync.tenants where tenant_id = ${tenantId}`
      return row?.current_sync_id ?? null
    }
  })
  const app = await h.build(UNPACED_REPORT)
  const tenantId = createTenant(h.sim, { displayName: 'Big Batch Ltd', userCount: 1100, mix: { deleted: 20, orgContacts: 15 }, reportThrottle: null })
  const { clientId, syncId } = await h.connect(tenantId)
  const run = await waitForRun(h.sql, syncId, undefined, 120_000)
  t.equal(run.outcome, 'completed', String(run.error))
  const { completed, skus, upserted } = await h.events.ofSync(syncId)
  const snapshot = await currentSnapshot(h.sql, tenantId)
  const expectedBatches = Math.ceil(snapshot.rows.length / MAX_BATCH)
  t.equal(expectedBatches, 3)
  t.same(completed.data.batches, { upserted: expectedBatches, removed: 0 })
  t.same(upserted.map((e) => e.data.batch), [1, 2, 3])
  t.same(upserted.map((e) => e.id), [1, 2, 3].map((n) => `${syncId}:o365.users.upserted:${n}`))
  t.ok(upserted.every((e) => e.data.users.length <= MAX_BATCH))
  const ids = upserted.flatMap((e) => e.data.users.map((u) => u.id))
  t.equal(new Set(ids).size, ids.length, 'each record once')
  t.same(ids.sort(), snapshot.rows.map((r) => r.objectId).sort(), 'every record of the snapshot')
  t.equal(skus[0]?.id, `${syncId}:o365.skus.replaced:1`)
  t.equal(completed.id, `${syncId}:o365.sync.completed:1`)
  for (const contract of [O365SkusReplaced, O365UsersUpserted, SyncCompleted]) {
    t.same(h.events.notes(contract, syncId).filter((n) => n !== syncId), [], `${contract.subject}: the snapshot was already current`)
  }

  t.test('a job redelivered after a crash between commit and the last event finishes publishing, without syncing again', async (t) => {
    await h.sql`update graph_sync.sync_runs set phase = 'publishing', outcome = null, finished_at = null,
      published = '{"skus":true,"upserted":1,"removed":0,"completed":false}'::jsonb where sync_id = ${syncId}`
    const graphCalls = Object.values(h.sim.admin.stats(tenantId).requests).reduce((a, b) => a + b, 0)
    const job = createEvent(SyncRequested, { syncId, tenantId, clientId, mode: 'full', reason: 'connected', requestedAt: new Date().toISOString() }, { id: syncId })
    await h.bus.publish(SyncRequested, job, { msgId: `redelivery-${randomUUID()}` })
    const done = await waitForRun(h.sql, syncId)
    t.equal(done.phase, 'completed')
    t.match(done.published, { skus: true, upserted: 3, removed: 0, completed: true })
    t.equal(done.attempts, 1, 'no new attempt')
    t.equal(Object.values(h.sim.admin.stats(tenantId).requests).reduce((a, b) => a + b, 0), graphCalls, 'no Graph call')
    const all = h.events.all.map((e) => e.event.id).filter((id) => id.startsWith(syncId))
    t.equal(new Set(all).size, all.length, 'republished events carried the same ids and were dropped as duplicates')
  })

  t.test('the next job of the tenant first finishes what a crashed worker left unpublished', async (t) => {
    await h.sql`update graph_sync.sync_runs set phase = 'publishing', outcome = null, finished_at = null,
      published = '{"skus":true,"upserted":2,"removed":0,"completed":false}'::jsonb where sync_id = ${syncId}`
    const next = await requestSync(app, clientId, tenantId)
    const run = await waitForRun(h.sql, next, undefined, 120_000)
    t.equal(run.outcome, 'completed', String(run.error))
    t.equal(run.previous_sync_id, syncId)
    const earlier = await waitForRun(h.sql, syncId)
    t.equal(earlier.phase, 'completed')
    t.ok((earlier.finished_at as Date) <= (run.started_at as Date), 'the earlier sync finished publishing before the next one started')
  })
})
