import { sql } from 'drizzle-orm'
import { queryRows, type AnyDb } from '@m365/db'
import type { PerUserMfaState } from '@m365/contracts'
import type { GraphClient } from '@m365/graph'
import { BATCH_SIZE, perUserStatesBatch } from '../graph/per-user-batch.js'
import { mapLimit } from './pipeline.js'
import type { SyncScope } from './staging.js'

const PAGE = 500
const NO_ID = '00000000-0000-0000-0000-000000000000'

export const PER_USER_DENIED = 'the app has not been granted Policy.Read.All, so the per-user MFA state (beta) cannot be read'

export type PerUserOutcome = { available: true } | { available: false, reason: string }

/**
 * Reads the legacy per-user MFA state (beta, one call per user, 20 to a JSON batch) of every user
 * row of the sync still without one: all users on a full sync, new and changed ones on a delta sync.
 * Keyset pages of ids from the database, `concurrency` batches in flight, so memory does not grow
 * with the tenant. A 403 stops it: the permission is missing and every state becomes 'unknown'.
 */
export async function readPerUserStates (
  db: AnyDb, client: GraphClient, scope: SyncScope, opts: { concurrency: number, signal: AbortSignal }
): Promise<PerUserOutcome> {
  let after = NO_ID
  for (;;) {
    const list = await queryRows<{ id: string }>(db, sql`
      select object_id::text as id from graph_sync.directory_objects
      where sync_id = ${scope.syncId}::uuid and kind = 'user' and per_user_state is null and object_id > ${after}::uuid
      order by object_id limit ${PAGE}`)
    if (list.length === 0) return { available: true }
    const chunks = Array.from({ length: Math.ceil(list.length / BATCH_SIZE) }, (_, i) => list.slice(i * BATCH_SIZE, (i + 1) * BATCH_SIZE).map((r) => r.id))
    let denied = false
    const results = await mapLimit(chunks, opts.concurrency, async (ids) => {
      if (denied) return null // one 403 says it for every user: no more calls
      const result = await perUserStatesBatch(client, ids, opts.signal)
      if (result.denied) denied = true
      return result
    })
    if (denied) return { available: false, reason: PER_USER_DENIED }
    const states = results.flatMap((r) => (r && !r.denied ? r.states : []))
    await storeStates(db, scope, states)
    after = list[list.length - 1]!.id
  }
}

async function storeStates (db: AnyDb, scope: SyncScope, rows: Array<{ id: string, state: PerUserMfaState }>): Promise<void> {
  if (rows.length === 0) return
  await db.execute(sql`
    update graph_sync.directory_objects o set per_user_state = r.state
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(id uuid, state text)
    where o.sync_id = ${scope.syncId}::uuid and o.kind = 'user' and o.object_id = r.id`)
}
