import { randomUUID } from 'node:crypto'
import t from 'tap'
import { createEvent, SyncCompleted, SyncFailed } from '@m365/contracts'
import { bindTenant } from '../../src/tenants/tenant-repository.js'
import { asMsp, build, headersFor, inProcessBus, seedClient, startSimulator, waitFor } from '../helper.js'

const counts = { users: 3, members: 2, guests: 1, disabled: 0, deleted: 0, orgContacts: 0, skus: 1 }

t.test('o365.sync.completed / o365.sync.failed become lastSyncAt and lastSyncOutcome; an older one arriving late is ignored', async (t) => {
  const simulator = await startSimulator(t)
  const bus = inProcessBus(t)
  const h = await build(t, simulator, { bus })
  const clientId = await seedClient(h.app)
  const tenantId = randomUUID()
  await h.app.db.transaction((tx) => bindTenant(tx, { clientId, tenantId, displayName: 'Synced Co' }))
  const read = async () => (await h.app.inject({ url: `/v1/clients/${clientId}/tenants/${tenantId}`, headers: headersFor(asMsp) })).json()

  const completedAt = new Date(Date.now() - 60_000).toISOString()
  await bus.publish(SyncCompleted, createEvent(SyncCompleted, {
    syncId: randomUUID(), tenantId, clientId, mode: 'full', counts, batches: { upserted: 1, removed: 0 }, mfaSource: 'registration-report', completedAt
  }))
  await waitFor(async () => (await read()).lastSyncOutcome === 'completed', 'the completed sync')
  t.match(await read(), { lastSyncAt: completedAt, lastSyncError: null })

  const failedAt = new Date().toISOString()
  await bus.publish(SyncFailed, createEvent(SyncFailed, { syncId: randomUUID(), tenantId, clientId, error: 'Graph answered 503', willRetry: true, at: failedAt }))
  await waitFor(async () => (await read()).lastSyncOutcome === 'failed', 'the failed sync')
  t.match(await read(), { lastSyncAt: failedAt, lastSyncError: 'Graph answered 503' })

  const stale = createEvent(SyncCompleted, {
    syncId: randomUUID(), tenantId, clientId, mode: 'delta', counts, batches: { upserted: 0, removed: 0 }, mfaSource: 'registration-report', completedAt: new Date(Date.now() - 3600_000).toISOString()
  })
  await bus.publish(SyncCompleted, stale)
  await waitFor(async () => (await bus.consumerState(SyncCompleted, 'tenant-auth-o365-sync-completed'))?.pending === 0 &&
    (await bus.consumerState(SyncCompleted, 'tenant-auth-o365-sync-completed'))?.ackPending === 0, 'the stale event handled')
  t.match(await read(), { lastSyncOutcome: 'failed', lastSyncAt: failedAt }, 'unchanged')

  // another client's sync of the same tenant id changes nothing here
  await bus.publish(SyncFailed, createEvent(SyncFailed, { syncId: randomUUID(), tenantId, clientId: randomUUID(), error: 'x', willRetry: false, at: new Date(Date.now() + 1000).toISOString() }))
  await waitFor(async () => (await bus.consumerState(SyncFailed, 'tenant-auth-o365-sync-failed'))?.ackPending === 0 &&
    (await bus.consumerState(SyncFailed, 'tenant-auth-o365-sync-failed'))?.pending === 0, 'handled')
  t.match(await read(), { lastSyncAt: failedAt })
})
