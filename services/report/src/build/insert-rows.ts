import { sql, type SQL } from 'drizzle-orm'
import type { ColumnKey, MergeMode } from '@m365/api'
import { queryRows, type AnyDb } from '@m365/db'
import { CONTACT_NAME_SQL, valuesSql } from './column-sql.js'
import { PAIRS } from './pairs.js'
import { visibleUsers } from './scope-sql.js'

export interface RowsToBuild {
  versionId: string
  clientId: string
  mergeMode: MergeMode
  /** the visible columns, in order */
  keys: ColumnKey[]
}

/** What the version's rows hold, counted as they are inserted. */
export interface RowCounts {
  rows: number
  matched: number
  matchedBy: { mail: number, upn: number, proxyAddress: number, otherMail: number }
}

/**
 * Writes a version's rows with one INSERT … SELECT: the merge, the ordering and the values are all
 * computed by Postgres, so a 50,000-user tenant never passes through the event loop. The best match
 * per row is chosen among the build's pairs (stagePairs first). Rank of a match: the user's mail,
 * then UPN, proxy address, other mail; a contact's primary address first.
 */
export async function insertRows (tx: AnyDb, build: RowsToBuild): Promise<RowCounts> {
  const insert = build.mergeMode === 'contacts+o365' ? contactRows(build) : userRows(build)
  const [row] = await queryRows<Omit<RowCounts, 'matchedBy'> & RowCounts['matchedBy']>(tx, sql`
    with ${insert}
    select count(*)::int as rows, count(matched_by)::int as matched,
      count(*) filter (where matched_by = 'mail')::int as mail, count(*) filter (where matched_by = 'upn')::int as upn,
      count(*) filter (where matched_by = 'proxyAddress')::int as "proxyAddress",
      count(*) filter (where matched_by = 'otherMail')::int as "otherMail"
    from inserted`)
  if (!row) throw new Error('version rows insert returned no counts')
  const { rows, matched, mail, upn, proxyAddress, otherMail } = row
  return { rows, matched, matchedBy: { mail, upn, proxyAddress, otherMail } }
}

/** `m as (…), inserted as (insert … returning matched_by)`: one row per visible user. */
function userRows ({ versionId, clientId, mergeMode, keys }: RowsToBuild): SQL {
  const best = mergeMode === 'none'
    ? sql`select null::uuid as tenant_id, null::uuid as user_id, null::text as psa, null::uuid as connection_id,
        null::text as external_id, null::text as address, null::text as kind where false`
    : sql`select distinct on (p.tenant_id, p.user_id) p.tenant_id, p.user_id, p.psa, p.connection_id, p.external_id, p.address, p.kind
        from ${PAIRS} p
        order by p.tenant_id, p.user_id, p.rank, p.is_primary desc, p.psa, p.connection_id, p.external_id`
  return sql`m as (${best}), inserted as (
    insert into report.version_rows (version_id, row_number, row_key, display_name, email, licenses, mfa_status, matched_by, values)
    select ${versionId}::uuid, row_number() over (order by u.sort_name, u.tenant_id, u.user_id),
      'o365:' || u.tenant_id || ':' || u.user_id, u.display_name, coalesce(u.mail, u.user_principal_name, c.primary_email),
      u.licenses, u.mfa_status, m.kind, ${valuesSql(keys)}
    from ${visibleUsers(clientId)} u
    left join m on m.tenant_id = u.tenant_id and m.user_id = u.user_id
    left join report.contacts c on c.psa = m.psa and c.connection_id = m.connection_id and c.external_id = m.external_id
    returning matched_by)`
}

/** `m as (…), inserted as (insert … returning matched_by)`: one row per contact. */
function contactRows ({ versionId, clientId, keys }: RowsToBuild): SQL {
  const name = sql.raw(CONTACT_NAME_SQL)
  return sql`m as (
      select distinct on (p.psa, p.connection_id, p.external_id) p.psa, p.connection_id, p.external_id,
        p.tenant_id, p.user_id, p.address, p.kind
      from ${PAIRS} p
      order by p.psa, p.connection_id, p.external_id, p.rank, p.user_deleted, p.is_user desc, p.is_primary desc,
        p.tenant_id, p.user_id
    ), inserted as (
    insert into report.version_rows (version_id, row_number, row_key, display_name, email, licenses, mfa_status, matched_by, values)
    select ${versionId}::uuid,
      row_number() over (order by lower(coalesce(${name}, c.primary_email, '')), c.psa, c.connection_id, c.external_id),
      'contact:' || c.psa || ':' || c.connection_id || ':' || c.external_id, coalesce(u.display_name, ${name}),
      coalesce(u.mail, c.primary_email, u.user_principal_name), u.licenses, u.mfa_status, m.kind, ${valuesSql(keys)}
    from report.contacts c
    left join m on m.psa = c.psa and m.connection_id = c.connection_id and m.external_id = c.external_id
    left join ${visibleUsers(clientId)} u on u.tenant_id = m.tenant_id and u.user_id = m.user_id
    where c.client_id = ${clientId}::uuid and not c.deleted
    returning matched_by)`
}
