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

const who = sql.raw('n.row_key as "rowKey", n.display_name as "displayName", n.email')

/**
 * What changed from version `against` (older) to version `to` of the same report, by row key (the
 * O365 user, or the contact in contacts+o365 mode): rows added and removed, licences added/removed
 * per row, MFA status changes. Computed in Postgres; each list is capped with its total given.
 */
export async function diffVersions (db: AnyDb, to: { id: string, number: number }, against: { id: string, number: number }): Promise<VersionDiff> {
  const [n, o] = [sql`${to.id}::uuid`, sql`${against.id}::uuid`]
  const onlyIn = (a: SQL, b: SQL) => sql`
    select ${who}, count(*) over ()::int as total from report.version_rows n
    where n.version_id = ${a} and not exists (select 1 from report.version_rows x where x.version_id = ${b} and x.row_key = n.row_key)
    order by n.row_number`
  const licenceSets = (from: string, minus: string) => sql.raw(`(
    select coalesce(jsonb_agg(l order by l->>'skuPartNumber', l->>'skuId'), '[]'::jsonb)
    from jsonb_array_elements(coalesce(${from}.licenses, '[]'::jsonb)) l
    where not exists (select 1 from jsonb_array_elements(coalesce(${minus}.licenses, '[]'::jsonb)) k where k->>'skuId' = l->>'skuId'))`)
  return {
    versionId: to.id,
    againstVersionId: against.id,
    number: to.number,
    againstNumber: against.number,
    usersAdded: await listed(db, onlyIn(n, o)),
    usersRemoved: await listed(db, onlyIn(o, n)),
    licenseChanges: await listed(db, sql`
      select "rowKey", "displayName", email, added, removed, count(*) over ()::int as total from (
        select n.row_number, ${who}, ${licenceSets('n', 'o')} as added, ${licenceSets('o', 'n')} as removed
        from report.version_rows n join report.version_rows o on o.version_id = ${o} and o.row_key = n.row_key
        where n.version_id = ${n}
      ) changed where added <> '[]'::jsonb or removed <> '[]'::jsonb
      order by row_number`),
    mfaStatusChanges: await listed(db, sql`
      select ${who}, o.mfa_status as "from", n.mfa_status as "to", count(*) over ()::int as total
      from report.version_rows n join report.version_rows o on o.version_id = ${o} and o.row_key = n.row_key
      where n.version_id = ${n} and n.mfa_status is distinct from o.mfa_status
      order by n.row_number`)
  }
}
