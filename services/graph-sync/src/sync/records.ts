import { isDeepStrictEqual } from 'node:util'
import { sql } from 'drizzle-orm'
import { queryRows, type AnyDb } from '@m365/db'
import { MAX_BATCH, type O365User, type PerUserMfaState, type Sku } from '@m365/contracts'
import {
  conditionalAccessCoverage, orgContactToO365User, securityDefaultsCoverage, skuPartNumbers, toGraphUser, toO365User,
  toOrgContact, userMfa, type ConditionalAccessPolicy, type RegistrationLookup
} from '@m365/graph'
import type { RegistrationOutcome } from './fetch.js'
import type { PerUserOutcome } from './per-user-mfa.js'
import { pipePagesConcurrently } from './pipeline.js'
import type { ObjectKind, SyncScope } from './staging.js'

const PAGE = 500
/** Pages of records being written at once (the records themselves are computed in order, one page at a time). */
const WRITES_IN_FLIGHT = 2
const OBJECTS = sql.raw('graph_sync.directory_objects')
const RECORDS = sql.raw('graph_sync.object_records')

export interface RecordInputs {
  registration: RegistrationOutcome
  perUser: PerUserOutcome
  securityDefaults: boolean | null
  conditionalAccess: ConditionalAccessPolicy[] | null
}

interface StagedRow {
  kind: ObjectKind
  object_id: string
  data: Record<string, unknown>
  per_user_state: string | null
  is_mfa_registered: boolean | null
  is_admin: boolean | null
  methods: string[] | null
  /** The object's record in the snapshot (delta syncs only). */
  previous: O365User | null
}

const PER_USER_STATES = new Set(['disabled', 'enabled', 'enforced'])

/** skuId → skuPartNumber of the SKUs the sync staged. */
export async function skuPartsOf (db: AnyDb, syncId: string): Promise<Map<string, string>> {
  const skuRows = await queryRows<{ data: Sku }>(db, sql`select data from graph_sync.skus where sync_id = ${syncId}::uuid`)
  return skuPartNumbers(skuRows.map((r) => r.data))
}

/**
 * Turns the staged rows into the O365User records the events carry, a page at a time: each page of
 * objects is read joined with its registration rows (and, when `compareWith` names the snapshot, its
 * record there) in SQL, the MFA status and explanation come from libs/graph, and each record is
 * inserted into object_records with its o365.users.upserted batch if it changed (without a snapshot
 * to compare with, every record counts as changed): MAX_BATCH changed records per batch in id order,
 * so a republish after a crash builds the very same batches. The next page is read while the
 * current one is computed, and up to WRITES_IN_FLIGHT computed pages are written at once, so
 * nothing holds more than a few pages. Returns the number of batches.
 */
export async function computeRecords (
  db: AnyDb, scope: SyncScope, inputs: RecordInputs, parts: ReadonlyMap<string, string>, compareWith: string | null
): Promise<number> {
  let numbered = 0 // changed records so far, numbered into batches
  await pipePagesConcurrently(stagedPages(db, scope.syncId, compareWith), async (rows) => {
    // computed in page order (before the first await), so the batches are numbered in id order
    const records = rows.map((row) => {
      const record = toRecord(row, inputs, parts)
      const changed = compareWith === null || !isDeepStrictEqual(row.previous, record)
      const batch = changed ? Math.floor(numbered++ / MAX_BATCH) + 1 : null
      return { kind: row.kind, id: row.object_id, record, batch }
    })
    await writeRecords(db, scope, records)
  }, WRITES_IN_FLIGHT)
  return Math.ceil(numbered / MAX_BATCH)
}

async function writeRecords (
  db: AnyDb, scope: SyncScope, records: Array<{ kind: ObjectKind, id: string, record: O365User, batch: number | null }>
): Promise<void> {
  // a repeat (an attempt that started over) replaces
  await db.execute(sql`
    insert into ${RECORDS} (sync_id, object_id, kind, record, publish_batch)
    select ${scope.syncId}::uuid, r.id, r.kind, r.record, r.batch
    from jsonb_to_recordset(${JSON.stringify(records)}::jsonb) as r(kind text, id uuid, record jsonb, batch integer)
    on conflict (sync_id, object_id) do update set kind = excluded.kind, record = excluded.record, publish_batch = excluded.publish_batch`)
}

/**
 * The sync's staged rows in pages of object ids, each joined with its registration row and its
 * record in the snapshot `compareWith`. Keyset on object_id alone (unique in a sync once deleted twins
 * of users are gone), so each page is a range of the primary key (sync_id, object_id, kind) whatever the
 * planner's statistics say of a fresh sync. A page only ever follows the one before, so the next can
 * be read while the current one is written back.
 */
async function * stagedPages (db: AnyDb, syncId: string, compareWith: string | null): AsyncGenerator<StagedRow[], void, undefined> {
  let after = '00000000-0000-0000-0000-000000000000'
  for (;;) {
    const rows = await queryRows<StagedRow>(db, sql`
      select o.kind, o.object_id::text as object_id, o.data, o.per_user_state, r.is_mfa_registered, r.is_admin, r.methods,
        (select p.record from ${RECORDS} p where p.sync_id = ${compareWith}::uuid and p.object_id = o.object_id) as previous
      from ${OBJECTS} o
      left join graph_sync.registrations r on r.sync_id = o.sync_id and r.user_id = o.object_id
      where o.sync_id = ${syncId}::uuid and o.object_id > ${after}::uuid
      order by o.object_id limit ${PAGE}`)
    if (rows.length === 0) return
    after = rows[rows.length - 1]!.object_id
    yield rows
  }
}

function toRecord (row: StagedRow, inputs: RecordInputs, parts: ReadonlyMap<string, string>): O365User {
  if (row.kind === 'orgContact') return orgContactToO365User(toOrgContact(row.data))
  const deleted = row.kind === 'deletedUser'
  const user = { ...toGraphUser(row.data), ...(deleted ? { deletedDateTime: typeof row.data.deletedDateTime === 'string' ? row.data.deletedDateTime : null } : {}) }
  const registration: RegistrationLookup = inputs.registration.available
    ? { available: true, record: row.is_mfa_registered === null ? null : { isMfaRegistered: row.is_mfa_registered, methodsRegistered: row.methods ?? [] } }
    : { available: false, reason: inputs.registration.reason }
  const perUserState: PerUserMfaState = inputs.perUser.available && row.per_user_state !== null && PER_USER_STATES.has(row.per_user_state)
    ? row.per_user_state as PerUserMfaState
    : 'unknown'
  const mfa = userMfa({
    kind: 'user',
    deleted,
    userType: user.userType,
    registration,
    perUserState,
    securityDefaults: securityDefaultsCoverage(inputs.securityDefaults, user),
    conditionalAccess: conditionalAccessCoverage(inputs.conditionalAccess, { id: user.id, userType: user.userType, isAdmin: row.is_admin })
  })
  return toO365User(user, { mfa, skuPartNumbers: parts, deleted })
}
