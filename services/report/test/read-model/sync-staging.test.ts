import t from 'tap'
import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { sql } from 'drizzle-orm'
import { O365UsersUpserted, SyncCompleted } from '@m365/contracts'
import { queryRows } from '@m365/db'
import { handleSkusReplaced, handleSyncCompleted, handleUsersBatch, SyncIncompleteError } from '../../src/read-model/sync-staging.js'
import { build, MSP, waitFor } from '../helper.js'
import { applySyncEvents, E3, sku, syncEvents, syncTenant, user } from '../fixtures.js'

const clientId = randomUUID()

async function usersOf (app: FastifyInstance, tenantId: string) {
  return await queryRows<{ user_id: string, display_name: string, sync_id: string }>(app.db,
    sql`select user_id, display_name, sync_id from report.o365_users where tenant_id = ${tenantId}::uuid order by display_name`)
}

async function snapshot (app: FastifyInstance) {
  return {
    users: await queryRows(app.db, sql`select * from report.o365_users order by tenant_id, user_id`),
    addresses: await queryRows(app.db, sql`select * from report.o365_user_addresses order by tenant_id, user_id, kind, address`),
    skus: await queryRows(app.db, sql`select * from report.o365_skus order by tenant_id, sku_id`),
    state: await queryRows(app.db, sql`select * from report.tenant_sync_state order by tenant_id`)
  }
}

t.test('the same events twice leave the same rows', async (t) => {
  const { app } = await build(t)
  const tenantId = randomUUID()
  const events = syncEvents({
    tenantId,
    clientId,
    users: [user({ displayName: 'Ann', mail: 'ann@contoso.com', proxyAddresses: ['SMTP:ann@contoso.com', 'smtp:a@contoso.com'] }), user({ displayName: 'Bob' })],
    skus: [sku(E3, 10, 2)],
    batchSize: 1
  })
  await applySyncEvents(app, events)
  const once = await snapshot(app)
  t.equal(once.users.length, 2)
  t.equal(once.skus.length, 1)
  await applySyncEvents(app, events)
  t.same(await snapshot(app), once, 'redelivery changed nothing')
})

t.test('a full sync whose completion arrives first is applied only when its last batch arrives', async (t) => {
  const { app } = await build(t)
  const tenantId = randomUUID()
  const old = user({ displayName: 'Old timer' })
  await syncTenant(app, { tenantId, clientId, users: [old] })
  const users = [user({ displayName: 'A' }), user({ displayName: 'B' }), user({ displayName: 'C' })]
  const events = syncEvents({ tenantId, clientId, users, skus: [sku(E3, 5, 1)], batchSize: 1 })

  await t.rejects(handleSyncCompleted(app.db, events.completed), SyncIncompleteError, 'completion before its batches: redeliver later')
  await handleUsersBatch(app.db, 'upserted', events.upserted[0]!)
  await handleSkusReplaced(app.db, events.skus)
  await handleUsersBatch(app.db, 'upserted', events.upserted[2]!)
  t.same((await usersOf(app, tenantId)).map((u) => u.display_name), ['Old timer'], 'nothing of the sync shows while a batch is missing')
  await t.rejects(handleSyncCompleted(app.db, events.completed), SyncIncompleteError, 'the redelivery checks again')

  t.equal(await handleUsersBatch(app.db, 'upserted', events.upserted[1]!), 'applied', 'the last batch applies the sync')
  t.same((await usersOf(app, tenantId)).map((u) => u.display_name), ['A', 'B', 'C'], 'full sync: the old user is gone')
  t.same(await queryRows(app.db, sql`select count(*)::int as n from report.o365_user_addresses where user_id = ${old.id}::uuid`), [{ n: 0 }], 'and its addresses')
  t.match(await queryRows(app.db, sql`select total, assigned from report.o365_skus where tenant_id = ${tenantId}::uuid`), [{ total: 5, assigned: 1 }])
  t.equal(await handleSyncCompleted(app.db, events.completed), 'ignored', 'a later redelivery of the completion is acknowledged')
  t.same(await queryRows(app.db, sql`select count(*)::int as n from report.staged_batches`), [{ n: 0 }], 'staging emptied')
})

t.test('delta syncs upsert and remove; a sync applied late never overwrites a newer one', async (t) => {
  const { app } = await build(t)
  const tenantId = randomUUID()
  const ann = user({ displayName: 'Ann' })
  const bob = user({ displayName: 'Bob' })
  const first = new Date(Date.now() - 60_000)
  await syncTenant(app, { tenantId, clientId, users: [ann, bob], completedAt: first })

  const newer = syncEvents({ tenantId, clientId, mode: 'delta', users: [{ ...ann, displayName: 'Ann (newer)' }], completedAt: new Date() })
  const older = syncEvents({
    tenantId, clientId, mode: 'delta', users: [{ ...ann, displayName: 'Ann (older)' }], removedIds: [bob.id], completedAt: new Date(first.getTime() + 1_000)
  })
  await applySyncEvents(app, newer)
  await applySyncEvents(app, older)
  t.same((await usersOf(app, tenantId)).map((u) => u.display_name), ['Ann (newer)'], 'older delta: its removal applies, its stale upsert does not')

  const gone = syncEvents({ tenantId, clientId, mode: 'delta', removedIds: [ann.id], completedAt: new Date(Date.now() + 1_000) })
  await applySyncEvents(app, gone)
  t.same(await usersOf(app, tenantId), [])
  t.same(await queryRows(app.db, sql`select count(*)::int as n from report.o365_user_addresses where tenant_id = ${tenantId}::uuid`), [{ n: 0 }])
})

t.test('a user a newer sync removed is not brought back by an older sync applied late', async (t) => {
  const { app } = await build(t)
  for (const removedBy of ['delta', 'full'] as const) {
    for (const lateMode of ['delta', 'full'] as const) {
      const tenantId = randomUUID()
      const ann = user({ displayName: 'Ann' })
      const bob = user({ displayName: 'Bob' })
      const cat = user({ displayName: 'Cat' }) // created after the first sync, gone again before the newer one
      const t0 = Date.now() - 60_000
      await syncTenant(app, { tenantId, clientId, users: [ann, bob], completedAt: new Date(t0) })
      const late = syncEvents({ tenantId, clientId, mode: lateMode, users: [ann, bob, cat], completedAt: new Date(t0 + 1_000) })
      const newer = removedBy === 'delta' ? { mode: 'delta' as const, removedIds: [bob.id, cat.id] } : { users: [ann] }
      await syncTenant(app, { tenantId, clientId, ...newer, completedAt: new Date(t0 + 2_000) })
      await applySyncEvents(app, late)
      t.same((await usersOf(app, tenantId)).map((u) => u.display_name), ['Ann'], `removed by a ${removedBy} sync, an older ${lateMode} sync late`)
      t.same(await queryRows(app.db, sql`select count(*)::int as n from report.o365_user_addresses
        where tenant_id = ${tenantId}::uuid and user_id <> ${ann.id}::uuid`), [{ n: 0 }], 'nor their addresses')
    }
  }
})

t.test('a removed user comes back with a newer sync; a full sync forgets the removals before it', async (t) => {
  const { app } = await build(t)
  const tenantId = randomUUID()
  const ann = user({ displayName: 'Ann' })
  const bob = user({ displayName: 'Bob' })
  const t0 = Date.now() - 60_000
  const removals = async () => await queryRows(app.db, sql`select user_id from report.o365_user_removals where tenant_id = ${tenantId}::uuid`)
  await syncTenant(app, { tenantId, clientId, users: [ann, bob], completedAt: new Date(t0) })
  await syncTenant(app, { tenantId, clientId, mode: 'delta', removedIds: [bob.id], completedAt: new Date(t0 + 2_000) })
  t.same(await removals(), [{ user_id: bob.id }], 'the removal is remembered')
  await syncTenant(app, { tenantId, clientId, mode: 'delta', users: [bob], completedAt: new Date(t0 + 3_000) })
  t.same((await usersOf(app, tenantId)).map((u) => u.display_name), ['Ann', 'Bob'], 'a newer sync brings Bob back')
  t.same(await removals(), [], 'and clears his removal')

  await syncTenant(app, { tenantId, clientId, mode: 'delta', removedIds: [ann.id], completedAt: new Date(t0 + 4_000) })
  await syncTenant(app, { tenantId, clientId, users: [bob], completedAt: new Date(t0 + 5_000) })
  t.same(await removals(), [], 'a full sync drops the removals before it')
  await syncTenant(app, { tenantId, clientId, mode: 'delta', users: [ann], completedAt: new Date(t0 + 3_500) })
  t.same((await usersOf(app, tenantId)).map((u) => u.display_name), ['Bob'], 'a sync older than the last full sync changes nothing')
})

t.test('the addresses a user can be matched on', async (t) => {
  const { app } = await build(t)
  const tenantId = randomUUID()
  const u = user({
    mail: 'Ann.Lee@Contoso.com',
    userPrincipalName: 'ann@contoso.onmicrosoft.com',
    proxyAddresses: ['SMTP:ann.lee@contoso.com', 'smtp:ann@contoso.com', 'X500:/o=ExchangeLabs/cn=ann', 'sip:ann@contoso.com', 'smtp:Ann@Contoso.com '],
    otherMails: ['ann@gmail.com', 'ANN@gmail.com', 'Ann@Contoso.com']
  })
  await syncTenant(app, { tenantId, clientId, users: [u] })
  await syncTenant(app, { tenantId, clientId, users: [u] }) // synced again: rebuilt, not added
  const rows = await queryRows<{ address: string, kind: string, rank: number }>(app.db,
    sql`select address, kind, rank from report.o365_user_addresses where user_id = ${u.id}::uuid order by rank, address`)
  t.same(rows, [
    { address: 'ann.lee@contoso.com', kind: 'mail', rank: 1 }, // also her primary SMTP address: kept once, as her mail
    { address: 'ann@contoso.onmicrosoft.com', kind: 'upn', rank: 2 },
    { address: 'ann@contoso.com', kind: 'proxyAddress', rank: 3 },
    { address: 'ann@gmail.com', kind: 'otherMail', rank: 4 }
  ], 'each address once, under the best kind it is held as')
})

t.test('batches handled at once, as the consumers do, apply their sync exactly once, whichever comes last', async (t) => {
  const { app } = await build(t)
  const users = Array.from({ length: 24 }, (_, i) => user({ displayName: `U${String(i).padStart(2, '0')}` }))

  const completionFirst = syncEvents({ tenantId: randomUUID(), clientId, users, batchSize: 1 })
  await t.rejects(handleSyncCompleted(app.db, completionFirst.completed), SyncIncompleteError, 'no batch is here yet')
  t.equal(await handleSkusReplaced(app.db, completionFirst.skus), 'incomplete')
  const outcomes = await Promise.all(completionFirst.upserted.map(async (event) => await handleUsersBatch(app.db, 'upserted', event)))
  t.same(outcomes.filter((o) => o === 'applied').length, 1, 'one batch, the last to take the lock, applied the sync')
  t.equal((await usersOf(app, completionFirst.completed.data.tenantId)).length, 24, 'with every user')

  const allAtOnce = syncEvents({ tenantId: randomUUID(), clientId, users, batchSize: 1 })
  const settled = await Promise.allSettled([
    handleSyncCompleted(app.db, allAtOnce.completed),
    handleSkusReplaced(app.db, allAtOnce.skus),
    ...allAtOnce.upserted.map(async (event) => await handleUsersBatch(app.db, 'upserted', event))
  ])
  const applied = settled.filter((s) => s.status === 'fulfilled' && s.value === 'applied').length
  const early = settled.filter((s) => s.status === 'rejected' && s.reason instanceof SyncIncompleteError).length
  t.equal(applied, 1, 'the completion, the SKUs and the batches together apply it once')
  // ignored: a batch staged beside the others whose check came after another one applied the sync, its batch included
  const waited = settled.filter((s) => s.status === 'fulfilled' && (s.value === 'incomplete' || s.value === 'ignored')).length
  t.equal(applied + early + waited, settled.length, 'nothing else happened')
  t.equal((await usersOf(app, allAtOnce.completed.data.tenantId)).length, 24)
})

t.test('a batch delivered again after it was staged but its sync not applied (the apply failed) applies the sync', async (t) => {
  const { app } = await build(t)
  const events = syncEvents({ tenantId: randomUUID(), clientId, users: [user({ displayName: 'Ann' }), user({ displayName: 'Bob' })], batchSize: 1 })
  const [first, last] = events.upserted as [typeof events.upserted[0], typeof events.upserted[0]]
  t.equal(await handleSkusReplaced(app.db, events.skus), 'incomplete')
  t.equal(await handleUsersBatch(app.db, 'upserted', first), 'incomplete')
  await t.rejects(handleSyncCompleted(app.db, events.completed), SyncIncompleteError)
  // what the last batch's first delivery left when the transaction applying the sync failed after its staging committed
  await app.db.execute(sql`insert into report.processed_events (event_id) values (${last.id})`)
  await app.db.execute(sql`insert into report.staged_batches (sync_id, kind, batch, payload)
    values (${last.data.syncId}::uuid, 'upserted', ${last.data.batch}, ${JSON.stringify(last.data)}::jsonb)`)
  t.equal(await handleUsersBatch(app.db, 'upserted', last), 'applied', 'the redelivery checks again')
  t.same((await usersOf(app, events.completed.data.tenantId)).map((u) => u.display_name), ['Ann', 'Bob'])
})

t.test('a sync waits for its SKUs, so its users never show with the SKUs of the sync before; older SKUs are ignored', async (t) => {
  const { app } = await build(t)
  const tenantId = randomUUID()
  const totals = async () => (await queryRows<{ total: number }>(app.db, sql`select total from report.o365_skus`)).map((s) => s.total)
  const names = async () => (await usersOf(app, tenantId)).map((u) => u.display_name)
  await syncTenant(app, { tenantId, clientId, users: [user({ displayName: 'Ann' })], skus: [sku(E3, 10, 1)], completedAt: new Date(Date.now() - 2_000) })
  const older = syncEvents({ tenantId, clientId, users: [user({ displayName: 'Bob' })], skus: [sku(E3, 15, 1)], completedAt: new Date(Date.now() - 1_000) })
  const newer = syncEvents({ tenantId, clientId, users: [user({ displayName: 'Cat' })], skus: [sku(E3, 20, 2)], completedAt: new Date() })

  t.equal(await handleUsersBatch(app.db, 'upserted', newer.upserted[0]!), 'incomplete')
  await t.rejects(handleSyncCompleted(app.db, newer.completed), SyncIncompleteError, 'batches and completion in, SKUs not: redeliver later')
  t.same([await names(), await totals()], [['Ann'], [10]], 'nothing of the sync shows without its SKUs')
  t.equal(await handleSkusReplaced(app.db, newer.skus), 'applied', 'its SKUs apply it')
  t.same([await names(), await totals()], [['Cat'], [20]])

  await applySyncEvents(app, older)
  t.same(await totals(), [20], 'older SKUs ignored')
})

t.test('a sync whose SKUs never come is applied with the SKUs held once SYNC_SKUS_WAIT_MS is over; late SKUs still land', async (t) => {
  const { app } = await build(t)
  const tenantId = randomUUID()
  const totals = async () => (await queryRows<{ total: number }>(app.db, sql`select total from report.o365_skus`)).map((s) => s.total)
  const names = async () => (await usersOf(app, tenantId)).map((u) => u.display_name)
  const skusOf = async () => await queryRows(app.db, sql`select sync_id, skus_sync_id from report.tenant_sync_state`)
  const first = await syncTenant(app, { tenantId, clientId, users: [user({ displayName: 'Ann' })], skus: [sku(E3, 10, 1)], completedAt: new Date(Date.now() - 1_000) })
  const stuck = syncEvents({ tenantId, clientId, users: [user({ displayName: 'Cat' })], skus: [sku(E3, 20, 2)] })

  t.equal(await handleUsersBatch(app.db, 'upserted', stuck.upserted[0]!), 'incomplete')
  await t.rejects(handleSyncCompleted(app.db, stuck.completed), SyncIncompleteError, 'within the wait: redeliver later')
  t.same(await names(), ['Ann'])
  // the SKU event dead-lettered: time passes, the completion's redeliveries go on
  await app.db.execute(sql`update report.staged_syncs set completion_received_at = now() - interval '11 minutes' where sync_id = ${stuck.syncId}::uuid`)
  t.equal(await handleSyncCompleted(app.db, stuck.completed), 'applied-without-skus', 'the wait is over: applied')
  t.same([await names(), await totals()], [['Cat'], [10]], 'its users, with the SKUs held')
  t.same(await skusOf(), [{ sync_id: stuck.syncId, skus_sync_id: first.syncId }], 'the SKUs are still said to be the older sync\'s')
  t.equal(await handleSyncCompleted(app.db, stuck.completed), 'ignored', 'a later redelivery is acknowledged')

  t.equal(await handleSkusReplaced(app.db, stuck.skus), 'applied', 'its SKUs, replayed from the dead letters, land')
  t.same([await totals(), await skusOf()], [[20], [{ sync_id: stuck.syncId, skus_sync_id: stuck.syncId }]])

  const lastBatchLate = syncEvents({ tenantId, clientId, users: [user({ displayName: 'Dan' })] })
  await t.rejects(handleSyncCompleted(app.db, lastBatchLate.completed, { skusWaitMs: 0 }), SyncIncompleteError, 'its batch is missing')
  t.equal(await handleUsersBatch(app.db, 'upserted', lastBatchLate.upserted[0]!, { skusWaitMs: 0 }), 'applied-without-skus',
    'the batch coming after the wait applies it too')
  t.same(await names(), ['Dan'])
})

t.test('through the consumers: a sync whose SKU event is lost is applied after the wait, counted in /metrics', async (t) => {
  const { app, bus } = await build(t, { env: { SYNC_SKUS_WAIT_MS: '0' } })
  const tenantId = randomUUID()
  const events = syncEvents({ tenantId, clientId, users: [user({ displayName: 'Ann' })], skus: [sku(E3, 10, 1)] })
  for (const event of events.upserted) await bus.publish(O365UsersUpserted, event)
  await bus.publish(SyncCompleted, events.completed)
  await waitFor(async () => (await usersOf(app, tenantId)).length === 1, 'the sync applied without its SKUs')
  const metrics = (await app.inject({ url: '/metrics', headers: MSP })).body
  t.match(metrics, /^report_syncs_applied_without_skus_total\{[^}]*\} 1$/m)
})

t.test('staged batches are compressed with lz4 where the server has it (migration 0004), pglz elsewhere', async (t) => {
  const { app } = await build(t)
  const [server] = await queryRows<{ lz4: boolean }>(app.db, sql`
    select 'lz4' = any(enumvals) as lz4 from pg_settings where name = 'default_toast_compression'`)
  const [column] = await queryRows<{ compression: string }>(app.db, sql`
    select attcompression::text as compression from pg_attribute
    where attrelid = 'report.staged_batches'::regclass and attname = 'payload'`)
  t.equal(column?.compression, server?.lz4 ? 'l' : '', server?.lz4 ? 'lz4' : 'the default (pglz)')
})
