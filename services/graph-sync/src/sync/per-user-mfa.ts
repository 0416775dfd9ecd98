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

export const PER_USER_UNAVAILABLE: PerUserOutcome = { available: false, reason: PER_USER_DENIED }

export interface PerUserReads {
  db: AnyDb
  client: GraphClient
  scope: SyncScope
  /** JSON batches in flight */
  concurrency: number
  signal: AbortSignal
  /** after each list of users read and stored: how many states it stored */
  onStored: (users: number) => void
}

/**
 * Reads the legacy per-user MFA state (beta, one call per user, 20 to a JSON batch) of every user
 * row of the sync still without one: all users on a full sync (but those a PerUserReadAhead read
 * while they were listed), new and changed ones on a delta sync. Keyset pages of ids from the
 * database, so memory does not grow with the tenant. A 403 stops it: the permission is missing and
 * every state becomes 'unknown'. Null when there was no user to read: no call said either way.
 */
export async function readPerUserStates (reads: PerUserReads): Promise<PerUserOutcome | null> {
  let after = NO_ID
  for (;;) {
    const list = await queryRows<{ id: string }>(reads.db, sql`
      select object_id::text as id from graph_sync.directory_objects
      where sync_id = ${reads.scope.syncId}::uuid and kind = 'user' and per_user_state is null and object_id > ${after}::uuid
      order by object_id limit ${PAGE}`)
    if (list.length === 0) return after === NO_ID ? null : { available: true }
    if (await readAndStore(reads, list.map((r) => r.id)) === 'denied') return PER_USER_UNAVAILABLE
    after = list[list.length - 1]!.id
  }
}

/**
 * Whether the per-user state can be read now, asked by reading one user of the snapshot (the answer
 * is not stored); null when the snapshot has no user to ask with.
 */
export async function probePerUserStates (reads: PerUserReads, snapshotId: string): Promise<PerUserOutcome | null> {
  const [user] = await queryRows<{ id: string }>(reads.db, sql`
    select object_id::text as id from graph_sync.directory_objects where sync_id = ${snapshotId}::uuid and kind = 'user' limit 1`)
  if (!user) return null
  const result = await perUserStatesBatch(reads.client, [user.id], reads.signal)
  return result.denied ? PER_USER_UNAVAILABLE : { available: true }
}

/**
 * Reads the per-user states of a full listing's pages while the listing goes on, one page at a
 * time: a page listed while another is being read is skipped, and readPerUserStates reads it after
 * the listing (it takes every user still without a state). So the reads overlap the listing, and
 * nothing queues up when Graph answers them slower than it lists.
 */
export class PerUserReadAhead {
  #reading: Promise<void> | null = null
  #denied = false
  #failure: { error: unknown } | null = null

  constructor (private readonly reads: PerUserReads) {}

  /** Starts reading these users' states unless a page is being read, or reading has stopped. */
  offer (ids: readonly string[]): void {
    if (this.#reading || this.#denied || this.#failure) return
    this.#reading = readAndStore(this.reads, ids)
      .then((result) => { this.#denied = result === 'denied' }, (error: unknown) => { this.#failure = { error } })
      .finally(() => { this.#reading = null })
  }

  /** Waits for the page being read. Throws what a read threw; `denied` once Graph refused the permission. */
  async finish (): Promise<{ denied: boolean }> {
    await this.#reading
    if (this.#failure) throw this.#failure.error
    return { denied: this.#denied }
  }

  /** Waits for the page being read, whatever its end (the listing failed and the sync stops). */
  async settle (): Promise<void> {
    await this.#reading
  }
}

/** One list of users' states, read and stored; 'denied' (and nothing stored) when Policy.Read.All is missing. */
async function readAndStore (reads: PerUserReads, ids: readonly string[]): Promise<'read' | 'denied'> {
  const chunks = Array.from({ length: Math.ceil(ids.length / BATCH_SIZE) }, (_, i) => ids.slice(i * BATCH_SIZE, (i + 1) * BATCH_SIZE))
  let denied = false
  const results = await mapLimit(chunks, reads.concurrency, async (chunk) => {
    if (denied) return null // one 403 says it for every user: no more calls
    const result = await perUserStatesBatch(reads.client, chunk, reads.signal)
    if (result.denied) denied = true
    return result
  })
  if (denied) return 'denied'
  const states = results.flatMap((r) => (r && !r.denied ? r.states : []))
  await storeStates(reads, states)
  reads.onStored(states.length)
  return 'read'
}

async function storeStates ({ db, scope }: PerUserReads, rows: Array<{ id: string, state: PerUserMfaState }>): Promise<void> {
  if (rows.length === 0) return
  await db.execute(sql`
    update graph_sync.directory_objects o set per_user_state = r.state
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(id uuid, state text)
    where o.sync_id = ${scope.syncId}::uuid and o.kind = 'user' and o.object_id = r.id`)
}
