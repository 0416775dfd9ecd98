import { sql } from 'drizzle-orm'
import type { EventBus } from '@m365/bus'
import {
  createEvent, O365SkusReplaced, O365UsersRemoved, O365UsersUpserted, SyncCompleted, type O365User, type Sku, type SyncCounts
} from '@m365/contracts'
import { queryRows, type AnyDb } from '@m365/db'
import { syncEventId } from '../lib/ids.js'
import { markPublished, updateRun, type Published, type SyncRun } from '../repositories/sync-runs.js'
import type { Batches } from './changes.js'
import { pipePages } from './pipeline.js'

export interface PublishDeps { db: AnyDb, bus: EventBus }

const DEFAULT_PUBLISHED: Published = { skus: false, upserted: 0, removed: 0, completed: false }

/**
 * The events of a committed sync, in order: o365.skus.replaced, the o365.users.upserted batches,
 * the o365.users.removed batches, o365.sync.completed. Progress is recorded after each event, so a
 * job redelivered after a crash resumes where it stopped; the event ids are deterministic, so an
 * event sent again just before the crash is dropped as a duplicate.
 */
export async function publishCommitted (deps: PublishDeps, run: SyncRun, signal?: AbortSignal): Promise<void> {
  const { db, bus } = deps
  const { syncId, tenantId, clientId } = run
  const published: Published = { ...DEFAULT_PUBLISHED, ...(run.published as Partial<Published>) }
  const batches = (run.batches ?? { upserted: 0, removed: 0 }) as Batches
  const record = async () => { await markPublished(db, syncId, { ...published }) }

  if (!published.skus) {
    signal?.throwIfAborted()
    const rows = await queryRows<{ data: Sku }>(db, sql`select data from graph_sync.skus where sync_id = ${syncId}::uuid order by sku_id`)
    const at = (run.committedAt ?? new Date()).toISOString()
    await bus.publish(O365SkusReplaced, createEvent(O365SkusReplaced, { syncId, tenantId, clientId, skus: rows.map((r) => r.data), at },
      { id: syncEventId(syncId, O365SkusReplaced.subject, 1) }))
    published.skus = true
    await record()
  }
  await pipePages(upsertedBatches(db, syncId, published.upserted + 1, batches.upserted, signal), async ({ batch, users }) => {
    await bus.publish(O365UsersUpserted, createEvent(O365UsersUpserted, { syncId, tenantId, clientId, batch, users },
      { id: syncEventId(syncId, O365UsersUpserted.subject, batch) }))
    published.upserted = batch
    await record()
  })
  for (let batch = published.removed + 1; batch <= batches.removed; batch++) {
    signal?.throwIfAborted()
    const rows = await queryRows<{ id: string }>(db, sql`
      select object_id::text as id from graph_sync.sync_removals where sync_id = ${syncId}::uuid and batch = ${batch} order by object_id`)
    await bus.publish(O365UsersRemoved, createEvent(O365UsersRemoved, { syncId, tenantId, clientId, batch, userIds: rows.map((r) => r.id) },
      { id: syncEventId(syncId, O365UsersRemoved.subject, batch) }))
    published.removed = batch
    await record()
  }
  if (!published.completed) {
    signal?.throwIfAborted()
    const completedAt = new Date()
    await bus.publish(SyncCompleted, createEvent(SyncCompleted, {
      syncId,
      tenantId,
      clientId,
      mode: run.mode === 'delta' ? 'delta' : 'full',
      counts: run.counts as SyncCounts,
      batches,
      mfaSource: run.mfaSource === 'registration-report' ? 'registration-report' : 'unavailable',
      completedAt: completedAt.toISOString()
    }, { id: syncEventId(syncId, SyncCompleted.subject, 1) }))
    published.completed = true
  }
  await updateRun(db, syncId, { published, phase: 'completed', outcome: 'completed', finishedAt: sql`now()` as unknown as Date })
}

/** The records of the o365.users.upserted batches `from`…`to`; publishCommitted reads each while the one before is sent. */
async function * upsertedBatches (
  db: AnyDb, syncId: string, from: number, to: number, signal: AbortSignal | undefined
): AsyncGenerator<{ batch: number, users: O365User[] }, void, undefined> {
  for (let batch = from; batch <= to; batch++) {
    signal?.throwIfAborted()
    const rows = await queryRows<{ record: O365User }>(db, sql`
      select record from graph_sync.object_records where sync_id = ${syncId}::uuid and publish_batch = ${batch} order by object_id`)
    yield { batch, users: rows.map((r) => r.record) }
  }
}
