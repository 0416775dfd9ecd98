import { sql, type SQL } from 'drizzle-orm'
import type { ColumnKey, MergeMode } from '@m365/api'
import type { AnyDb } from '@m365/db'
import { CONTACT_NAME_SQL, valuesSql } from './column-sql.js'
import { visibleUsers } from './scope-sql.js'

export interface RowsToBuild {
  versionId: string
  clientId: string
  mergeMode: MergeMode
  /** the visible columns, in order */
  keys: ColumnKey[]
}

/**
 * Writes a version's rows with one INSERT … SELECT: the merge, the ordering and the values are all
 * computed by Postgres, so a 50,000-user tenant never passes through the event loop.
 * Rank of a match: the user's mail, then UPN, proxy address, other mail; a contact's primary address first.
 */
export async function insertRows (tx: AnyDb, build: RowsToBuild): Promise<void> {
  await tx.execute(build.mergeMode === 'contacts+o365' ? contactRows(build) : userRows(build))
}

function userRows ({ versionId, clientId, mergeMode, keys }: RowsToBuild): SQL {
  const best = mergeMode === 'none'
    ? sql`select null::uuid as tenant_id, null::uuid as user_id, null::text as psa, null::uuid as connection_id,
        null::text as external_id, null::text as address, null::text as kind where false`
    : sql`select distinct on (a.tenant_id, a.user_id) a.tenant_id, a.user_id, ca.psa, ca.connection_id, ca.external_id, a.address, a.kind
        from report.o365_user_addresses a
        join vu on vu.tenant_id = a.tenant_id and vu.user_id = a.user_id
        join report.contact_addresses ca on ca.client_id = ${clientId}::uuid and ca.address = a.address
        order by a.tenant_id, a.user_id, a.rank, ca.is_primary desc, ca.psa, ca.connection_id, ca.external_id`
  return sql`
    with vu as ${visibleUsers(clientId)}, m as (${best})
    insert into report.version_rows (version_id, row_number, row_key, display_name, email, licenses, mfa_status, matched_by, values)
    select ${versionId}::uuid, row_number() over (order by u.sort_name, u.tenant_id, u.user_id),
      'o365:' || u.tenant_id || ':' || u.user_id, u.display_name, coalesce(u.mail, u.user_principal_name, c.primary_email),
      u.licenses, u.mfa_status, m.kind, ${valuesSql(keys)}
    from vu u
    left join m on m.tenant_id = u.tenant_id and m.user_id = u.user_id
    left join report.contacts c on c.psa = m.psa and c.connection_id = m.connection_id and c.external_id = m.external_id`
}

function contactRows ({ versionId, clientId, keys }: RowsToBuild): SQL {
  const name = sql.raw(CONTACT_NAME_SQL)
  return sql`
    with vu as ${visibleUsers(clientId)}, m as (
      select distinct on (ca.psa, ca.connection_id, ca.external_id) ca.psa, ca.connection_id, ca.external_id,
        a.tenant_id, a.user_id, a.address, a.kind
      from report.contact_addresses ca
      join report.o365_user_addresses a on a.address = ca.address
      join vu on vu.tenant_id = a.tenant_id and vu.user_id = a.user_id
      where ca.client_id = ${clientId}::uuid
      order by ca.psa, ca.connection_id, ca.external_id, a.rank, vu.deleted, (vu.object_type = 'user') desc, ca.is_primary desc,
        a.tenant_id, a.user_id
    )
    insert into report.version_rows (version_id, row_number, row_key, display_name, email, licenses, mfa_status, matched_by, values)
    select ${versionId}::uuid,
      row_number() over (order by lower(coalesce(${name}, c.primary_email, '')), c.psa, c.connection_id, c.external_id),
      'contact:' || c.psa || ':' || c.connection_id || ':' || c.external_id, coalesce(u.display_name, ${name}),
      coalesce(u.mail, c.primary_email, u.user_principal_name), u.licenses, u.mfa_status, m.kind, ${valuesSql(keys)}
    from report.contacts c
    left join m on m.psa = c.psa and m.connection_id = c.connection_id and m.external_id = c.external_id
    left join vu u on u.tenant_id = m.tenant_id and u.user_id = m.user_id
    where c.client_id = ${clientId}::uuid and not c.deleted`
}
