import { sql, type SQL } from 'drizzle-orm'
import type { VersionDiff } from '@m365/api'
import { queryRows, type AnyDb } from '@m365/db'

const LIMIT = 1_000

type Listed<T> = T & { total: number }

/** Lists at most LIMIT items and the total, from a query selecting `total` as count(*) over (). */
async function listed<T extends object> (db: AnyDb, query: SQL): Promise<{ total: number, items: T[] }> {
  const rows = await queryRows<Listed<T>>(db, sql`${query} limit ${LIMIT}`)
  return { total: rows[0]?.total ?? 0, items: rows.map(({ total: _, ...item }) => item as unknown as T) }
}

export interface DiffedVersion { id: string, number: number, reportId: string }

/** The column keys the diff may show: those visible in both versions (a template may have changed between them). */
export function visibleInBoth (a: ReadonlyArray<{ key: string }>, b: ReadonlyArray<{ key: string }>): Set<string> {
  return new Set(a.map((column) => column.key).filter((key) => b.some((column) => column.key === key)))
}

/**
 * Each name field of a diff item and the cells it is read from, first non-null wins (a contact-only
 * row has no user name, a user may have no mail). Cells hold only the version's visible columns, so
 * a fallback never brings in a hidden one.
 */
const NAME_FIELDS = { displayName: ['displayName', 'contactName'], email: ['email', 'userPrincipalName'] }

/**
 * `n`'s row key, name and email as far as `visible` shows them. The row key carries the tenant and
 * user ids (or the PSA contact's ids, never a column): unless those columns are visible it is
 * replaced by a hash scoped to the report, so it still matches a row across the report's diffs.
 */
function whoSql (visible: Set<string>, reportId: string): SQL {
  const opaqueKey = sql`encode(sha256(convert_to(${reportId}::text || ':' || n.row_key, 'UTF8')), 'hex')`
  const rowKey = visible.has('tenantId') && visible.has('userId')
    ? sql`case when n.row_key like 'o365:%' then n.row_key else ${opaqueKey} end`
    : opaqueKey
  const fields = Object.entries(NAME_FIELDS).flatMap(([field, keys]) => {
    const cells = keys.filter((key) => visible.has(key)).map((key) => `n.values->>'${key}'`)
    return cells.length === 0 ? [] : [sql.raw(`coalesce(${cells.join(', ')}) as "${field}"`)]
  })
  return sql.join([sql`${rowKey} as "rowKey"`, ...fields], sql`, `)
}

/** `(select … as <name>)`: the licences in `from`'s row that `minus`'s row lacks, by SKU id. */
const licenceSet = (from: string, minus: string, name: string) => sql.raw(`(
  select coalesce(jsonb_agg(l order by l->>'skuPartNumber', l->>'skuId'), '[]'::jsonb) as ${name}
  from jsonb_array_elements(coalesce(${from}.licenses, '[]'::jsonb)) l
  where not exists (select 1 from jsonb_array_elements(coalesce(${minus}.licenses, '[]'::jsonb)) k where k->>'skuId' = l->>'skuId'))`)

/**
 * What changed from version `against` (older) to version `to` of the same report, by row key (the
 * O365 user, or the contact in contacts+o365 mode): rows added and removed, licences added/removed
 * per row, MFA status changes. Shows only the columns in `visible` (the versions' frozen visible
 * columns, as rows and CSV): licence changes only with the licences column, MFA status changes only
 * with the MFA status column. Computed in Postgres; each list is capped with its total given.
 */
export async function diffVersions (db: AnyDb, to: DiffedVersion, against: DiffedVersion, visible: Set<string>): Promise<VersionDiff> {
  const [n, o] = [sql`${to.id}::uuid`, sql`${against.id}::uuid`]
  const who = whoSql(visible, to.reportId)
  const both = sql`report.version_rows n join report.version_rows o on o.version_id = ${o} and o.row_key = n.row_key`
  const onlyIn = (a: SQL, b: SQL) => sql`
    select ${who}, count(*) over ()::int as total from report.version_rows n
    where n.version_id = ${a} and not exists (select 1 from report.version_rows x where x.version_id = ${b} and x.row_key = n.row_key)
    order by n.row_number`
  const diff: VersionDiff = {
    versionId: to.id,
    againstVersionId: against.id,
    number: to.number,
    againstNumber: against.number,
    usersAdded: await listed(db, onlyIn(n, o)),
    usersRemoved: await listed(db, onlyIn(o, n))
  }
  if (visible.has('licenses')) {
    diff.licenseChanges = await listed(db, sql`
      select ${who}, added, removed, count(*) over ()::int as total
      from ${both} cross join lateral ${licenceSet('n', 'o', 'added')} a cross join lateral ${licenceSet('o', 'n', 'removed')} r
      where n.version_id = ${n} and (added <> '[]'::jsonb or removed <> '[]'::jsonb)
      order by n.row_number`)
  }
  if (visible.has('mfaStatus')) {
    diff.mfaStatusChanges = await listed(db, sql`
      select ${who}, o.mfa_status as "from", n.mfa_status as "to", count(*) over ()::int as total
      from ${both}
      where n.version_id = ${n} and n.mfa_status is distinct from o.mfa_status
      order by n.row_number`)
  }
  return diff
}
