import { sql } from 'drizzle-orm'
import { queryRows, type AnyDb } from '@m365/db'
import type { O365User, PerUserMfaState, Sku } from '@m365/contracts'
import {
  conditionalAccessCoverage, orgContactToO365User, securityDefaultsCoverage, skuPartNumbers, toGraphUser, toO365User,
  toOrgContact, userMfa, type ConditionalAccessPolicy, type RegistrationLookup
} from '@m365/graph'
import type { RegistrationOutcome } from './fetch.js'
import type { PerUserOutcome } from './per-user-mfa.js'
import type { ObjectKind, SyncScope } from './staging.js'

const PAGE = 500
const OBJECTS = sql.raw('graph_sync.directory_objects')

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
}

const PER_USER_STATES = new Set(['disabled', 'enabled', 'enforced'])

/**
 * Turns the staged rows into the O365User records the events carry, a page at a time: each page of
 * objects is read joined with its registration rows (SQL), the MFA status and explanation come from
 * libs/graph, and the records are written back. Nothing holds more than a page.
 */
export async function computeRecords (db: AnyDb, scope: SyncScope, inputs: RecordInputs): Promise<void> {
  // A user restored while we listed can be in both listings: the active account wins.
  await db.execute(sql`
    delete from ${OBJECTS} d where d.sync_id = ${scope.syncId}::uuid and d.kind = 'deletedUser'
      and exists (select 1 from ${OBJECTS} u where u.sync_id = d.sync_id and u.kind = 'user' and u.object_id = d.object_id)`)
  const skuRows = await queryRows<{ data: Sku }>(db, sql`select data from graph_sync.skus where sync_id = ${scope.syncId}::uuid`)
  const parts = skuPartNumbers(skuRows.map((r) => r.data))
  let after: [string, string] = ['', '00000000-0000-0000-0000-000000000000']
  for (;;) {
    const rows = await queryRows<StagedRow>(db, sql`
      select o.kind, o.object_id::text as object_id, o.data, o.per_user_state, r.is_mfa_registered, r.is_admin, r.methods
      from ${OBJECTS} o
      left join graph_sync.registrations r on r.sync_id = o.sync_id and r.user_id = o.object_id
      where o.sync_id = ${scope.syncId}::uuid and (o.kind, o.object_id) > (${after[0]}, ${after[1]}::uuid)
      order by o.kind, o.object_id limit ${PAGE}`)
    if (rows.length === 0) return
    const records = rows.map((row) => ({ kind: row.kind, id: row.object_id, record: toRecord(row, inputs, parts) }))
    await db.execute(sql`
      update ${OBJECTS} o set record = r.record, mfa_status = r.record->'mfa'->>'status'
      from jsonb_to_recordset(${JSON.stringify(records)}::jsonb) as r(kind text, id uuid, record jsonb)
      where o.sync_id = ${scope.syncId}::uuid and o.kind = r.kind and o.object_id = r.id`)
    const last = rows[rows.length - 1]!
    after = [last.kind, last.object_id]
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
