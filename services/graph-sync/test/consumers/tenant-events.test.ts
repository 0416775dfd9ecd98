import { randomUUID } from 'node:crypto'
import t from 'tap'
import { connect } from 'nats'
import { ClientDeleted, createEvent, SyncFailed, SyncRequested, TenantConnected, TenantConsentRevoked, TenantDisconnected } from '@m365/contracts'
import { createTenant, currentSnapshot, NATS_URL, requestSync, setup, waitFor, waitForRun } from '../helper.js'

const ago = (ms: number) => new Date(Date.now() - ms).toISOString()

t.test('tenant events', async (t) => {
  const h = await setup(t, { fixture: 'none' })
  const app = await h.build()
  const tenant = async (tenantId: string) => (await h.sql`select * from graph_sync.tenants where tenant_id = ${tenantId}`)[0]
  const runsOf = async (tenantId: string) => await h.sql`select * from graph_sync.sync_runs where tenant_id = ${tenantId} order by requested_at`

  t.test('tenant.connected: the tenant is kept and synced in full at once; a redelivery changes nothing', async (t) => {
    const tenantId = createTenant(h.sim, { displayName: 'Connected Ltd', userCount: 3 })
    const clientId = randomUUID()
    const event = createEvent(TenantConnected, { clientId, tenantId, displayName: 'Connected Ltd', connectedAt: new Date().toISOString() })
    await h.bus.publish(TenantConnected, event)
    const row = await waitFor(() => tenant(tenantId), 'tenant row')
    t.match(row, { client_id: clientId, status: 'connected', display_name: 'Connected Ltd' })
    t.ok((row.next_sync_at as Date).getTime() > Date.now() + 50 * 60_000, 'next scheduled sync an interval away')
    const [run] = await waitFor(async () => { const runs = await runsOf(tenantId); return runs.length > 0 ? runs : undefined }, 'the first sync queued')
    t.match(run, { reason: 'connected', requested_mode: 'full' })
    t.equal((await waitForRun(h.sql, run!.sync_id as string)).outcome, 'completed')
    await h.bus.publish(TenantConnected, event, { msgId: `again-${randomUUID()}` })
    await waitFor(async () => (await h.sql`select 1 from graph_sync.tenants where tenant_id = ${tenantId} and updated_at > ${row.updated_at as Date}`).length > 0, 'redelivery handled')
    t.equal((await runsOf(tenantId)).length, 1, 'the same event enqueues the same sync')
  })

  t.test('older events than the status we hold are ignored; disconnect and revoke stop the syncs', async (t) => {
    const tenantId = createTenant(h.sim, { displayName: 'Going Away Ltd', userCount: 3 })
    const { clientId, syncId } = await h.connect(tenantId)
    await waitForRun(h.sql, syncId)
    await h.bus.publish(TenantDisconnected, createEvent(TenantDisconnected, { clientId, tenantId, disconnectedAt: ago(3_600_000) }))
    await h.bus.publish(TenantConsentRevoked, createEvent(TenantConsentRevoked, { clientId, tenantId, status: 'consent_revoked', reason: 'AADSTS65001', at: new Date().toISOString() }))
    await waitFor(async () => (await tenant(tenantId))?.status === 'consent_revoked', 'revoked')
    t.equal(h.events.of(SyncFailed).filter((e) => e.data.tenantId === tenantId).length, 0)

    // a job that was queued before the revocation fails at once, without retrying
    const queued = randomUUID()
    await h.bus.publish(SyncRequested, createEvent(SyncRequested, { syncId: queued, tenantId, clientId, mode: 'auto', reason: 'schedule', requestedAt: new Date().toISOString() }, { id: queued }))
    const run = await waitForRun(h.sql, queued)
    t.equal(run.outcome, 'failed')
    t.match(run.error, /consent_revoked, not connected/)
    t.equal((await h.events.waitFor(SyncFailed, (e) => e.data.syncId === queued, 'failed')).data.willRetry, false)

    await h.bus.publish(TenantDisconnected, createEvent(TenantDisconnected, { clientId, tenantId, disconnectedAt: new Date().toISOString() }))
    await waitFor(async () => (await tenant(tenantId))?.status === 'disconnected', 'disconnected')
    const stale = createEvent(TenantConnected, { clientId, tenantId, connectedAt: ago(7_200_000) })
    await h.bus.publish(TenantConnected, stale)
    await h.bus.publish(TenantConnected, createEvent(TenantConnected, { clientId, tenantId, connectedAt: new Date().toISOString() }))
    await waitFor(async () => (await runsOf(tenantId)).filter((r) => r.reason === 'connected').length === 2, 'a first sync again')
    t.equal((await tenant(tenantId))?.status, 'connected')
    t.equal((await runsOf(tenantId)).filter((r) => r.reason === 'connected').length, 2, 'the stale connect queued nothing, the new one a first sync')
  })

  t.test('client.deleted purges everything of its tenants', async (t) => {
    const tenantId = createTenant(h.sim, { displayName: 'Deleted Client Ltd', userCount: 3 })
    const { clientId, syncId } = await h.connect(tenantId)
    await waitForRun(h.sql, syncId)
    const keep = createTenant(h.sim, { displayName: 'Kept Client Ltd', userCount: 2 })
    const kept = await h.connect(keep)
    await waitForRun(h.sql, kept.syncId)
    await h.bus.publish(ClientDeleted, createEvent(ClientDeleted, { clientId, deletedAt: new Date().toISOString() }))
    await waitFor(async () => !(await tenant(tenantId)), 'tenant purged')
    for (const table of ['sync_runs', 'sync_attempts', 'directory_objects', 'registrations', 'skus', 'tenant_leases']) {
      const rows = await h.sql`select 1 from ${h.sql('graph_sync')}.${h.sql(table)} where tenant_id = ${tenantId}`
      t.equal(rows.length, 0, `${table} purged`)
    }
    t.equal((await h.sql`select 1 from graph_sync.object_records where sync_id = ${syncId}`).length, 0, 'object_records purged')
    t.ok(await tenant(keep), 'other clients keep theirs')
    t.ok((await h.sql`select 1 from graph_sync.directory_objects where tenant_id = ${keep}`).length > 0)
    t.ok((await h.sql`select 1 from graph_sync.object_records where sync_id = ${kept.syncId}`).length > 0, 'and their records')
  })

  /** The tenant moves from its client to another one (`moved`), then its first client is deleted. */
  const moveThenDelete = async (tenantId: string, moved: (oldSyncId: string) => Promise<void>) => {
    const { clientId, syncId } = await h.connect(tenantId)
    await waitForRun(h.sql, syncId)
    await h.bus.publish(TenantDisconnected, createEvent(TenantDisconnected, { clientId, tenantId, disconnectedAt: new Date().toISOString() }))
    await waitFor(async () => (await tenant(tenantId))?.status === 'disconnected', 'disconnected')
    await moved(syncId)
    await h.bus.publish(ClientDeleted, createEvent(ClientDeleted, { clientId, deletedAt: new Date().toISOString() }))
    await waitFor(async () => (await h.sql`select 1 from graph_sync.sync_runs where sync_id = ${syncId}`).length === 0, 'the old client purged')
    return syncId
  }
  const rowsOf = async (syncId: string) => ({
    objects: (await h.sql`select 1 from graph_sync.directory_objects where sync_id = ${syncId}`).length,
    records: (await h.sql`select 1 from graph_sync.object_records where sync_id = ${syncId}`).length,
    attempts: (await h.sql`select 1 from graph_sync.sync_attempts where sync_id = ${syncId}`).length
  })

  t.test("client.deleted leaves a tenant that moved to another client its new owner's snapshot", async (t) => {
    const tenantId = createTenant(h.sim, { displayName: 'Moved Ltd', userCount: 3 })
    const newClient = randomUUID()
    let current = ''
    let before = { objects: 0, records: 0, attempts: 0 }
    let snapshot: Awaited<ReturnType<typeof currentSnapshot>>['rows'] = []
    const old = await moveThenDelete(tenantId, async (oldSyncId) => {
      current = (await h.connect(tenantId, newClient)).syncId
      t.equal((await waitForRun(h.sql, current)).outcome, 'completed')
      before = await rowsOf(current)
      snapshot = (await currentSnapshot(h.sql, tenantId)).rows
      // what a failed attempt of the old client's run would have left staged
      const objectId = randomUUID()
      await h.sql`insert into graph_sync.directory_objects (sync_id, kind, object_id, tenant_id, data) values (${oldSyncId}, 'user', ${objectId}, ${tenantId}, '{}')`
      await h.sql`insert into graph_sync.object_records (sync_id, object_id, kind, record) values (${oldSyncId}, ${objectId}, 'user', '{}')`
    })
    t.ok(before.objects > 0 && before.records > 0 && before.attempts > 0)
    t.match(await tenant(tenantId), { client_id: newClient, status: 'connected', current_sync_id: current, snapshot_id: current })
    t.same(await rowsOf(current), before, "the new owner's snapshot, records and attempts stay")
    t.same(await rowsOf(old), { objects: 0, records: 0, attempts: 0 }, "the old client's run left nothing")

    const next = await requestSync(app, newClient, tenantId, 'delta')
    t.match(await waitForRun(h.sql, next), { outcome: 'completed', mode: 'delta' })
    t.same((await currentSnapshot(h.sql, tenantId)).rows, snapshot, 'the delta continued the snapshot')
  })

  t.test("client.deleted keeps the rows of its run that is still a moved tenant's snapshot", async (t) => {
    const tenantId = createTenant(h.sim, { displayName: 'Moved Unsynced Ltd', userCount: 2 })
    let before = { objects: 0, records: 0, attempts: 0 }
    const old = await moveThenDelete(tenantId, async (oldSyncId) => {
      before = await rowsOf(oldSyncId)
      // the new owner's tenant.connected applied; its first sync has not committed yet
      await h.sql`update graph_sync.tenants set client_id = ${randomUUID()}, status = 'connected' where tenant_id = ${tenantId}`
    })
    t.ok(before.objects > 0 && before.records > 0)
    t.equal((await tenant(tenantId))?.snapshot_id, old)
    t.same(await rowsOf(old), { ...before, attempts: 0 }, "the snapshot's rows stay; the old client's attempts go")
  })

  t.test('client.deleted while a sync of its tenant runs: the sync stops and leaves nothing behind', async (t) => {
    const tenantId = createTenant(h.sim, { displayName: 'Deleted Mid-Sync Ltd', userCount: 30 })
    h.sim.admin.setFaults(tenantId, { slowPageMs: 150, onlyPaths: ['/beta'] })
    const { clientId, syncId } = await h.connect(tenantId)
    await waitForRun(h.sql, syncId, (r) => r.phase === 'fetching' && (r.users_processed as number) > 0, 30_000)
    await h.bus.publish(ClientDeleted, createEvent(ClientDeleted, { clientId, deletedAt: new Date().toISOString() }))
    // The running attempt notices its lease is gone and stops; after that it writes nothing more.
    const stopped = await h.events.waitFor(SyncFailed, (e) => e.data.syncId === syncId, 'the running sync stopped')
    t.match(stopped.data.error, /lease/)
    await waitFor(async () => {
      for (const table of ['tenants', 'sync_runs', 'sync_attempts', 'directory_objects', 'registrations', 'skus', 'tenant_leases']) {
        if ((await h.sql`select 1 from ${h.sql('graph_sync')}.${h.sql(table)} where tenant_id = ${tenantId}`).length > 0) return false
      }
      return (await h.sql`select 1 from graph_sync.object_records where sync_id = ${syncId}`).length === 0
    }, 'nothing left of the tenant')
    t.pass('purged, and the interrupted sync wrote nothing back')
    h.sim.admin.setFaults(tenantId, null)
  })

  t.test('an invalid event is dead-lettered, not retried', async (t) => {
    const nc = await connect({ servers: NATS_URL })
    const js = nc.jetstream()
    await js.publish(`${h.namespace}.tenant.connected`, new TextEncoder().encode(JSON.stringify({ id: 'x', subject: 'tenant.connected', version: 1, data: { tenantId: 'nope' } })))
    await nc.close()
    const letters = await waitFor(async () => {
      const found = await h.bus.deadLetters('tenant.connected')
      return found.length > 0 ? found : undefined
    }, 'a dead letter')
    t.equal(letters[0]!.durable, 'graph-sync-tenant-connected')
    t.match(letters[0]!.errors[0], /invalid payload/)
  })
})
