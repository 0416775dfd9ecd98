import { sql, type SQL } from 'drizzle-orm'
import type { LicenseSummaryItem, MergeMode, MergeStats, MfaSummary, VersionSource } from '@m365/api'
import { queryRows, type AnyDb } from '@m365/db'
import type { RowCounts } from './insert-rows.js'
import { PAIRS } from './pairs.js'
import { visibleSkus, visibleUsers } from './scope-sql.js'

/**
 * Per SKU over the client's tenants: bought and consumed units from the tenant's subscribed SKUs, and
 * how many are held by disabled or deleted accounts. A SKU users hold but the tenant no longer lists
 * shows total 0 and the holders as assigned.
 */
export function licenseSummarySql (clientId: string): SQL {
  return sql`
    with skus as (
      select s.sku_id, min(s.sku_part_number) as part, min(s.product_name) as name, sum(s.total)::int as total,
        sum(s.assigned)::int as assigned
      from ${visibleSkus(clientId)} s group by s.sku_id
    ), held as (
      select (l->>'skuId')::uuid as sku_id, min(l->>'skuPartNumber') as part, min(l->>'productName') as name,
        count(*)::int as holders,
        count(*) filter (where not u.deleted and u.account_enabled = false)::int as to_disabled,
        count(*) filter (where u.deleted)::int as to_deleted
      from ${visibleUsers(clientId)} u cross join lateral jsonb_array_elements(u.licenses) l group by 1
    )
    select coalesce(s.sku_id, h.sku_id) as "skuId", coalesce(s.part, h.part) as "skuPartNumber",
      coalesce(s.name, h.name) as "productName", coalesce(s.total, 0) as total, coalesce(s.assigned, h.holders) as assigned,
      coalesce(s.total, 0) - coalesce(s.assigned, h.holders) as available,
      coalesce(h.to_disabled, 0) as "assignedToDisabled", coalesce(h.to_deleted, 0) as "assignedToDeleted"
    from skus s full join held h on h.sku_id = s.sku_id`
}

export async function licenseSummary (tx: AnyDb, clientId: string): Promise<LicenseSummaryItem[]> {
  return await queryRows<LicenseSummaryItem>(tx,
    sql`select * from (${licenseSummarySql(clientId)}) x order by x."skuPartNumber", x."skuId"`)
}

/** Counts by MFA status, and the share of enabled, not deleted member accounts whose MFA is Enabled. */
export async function mfaSummary (tx: AnyDb, clientId: string): Promise<MfaSummary> {
  const [row] = await queryRows<Omit<MfaSummary, 'enabledMembersWithMfaPercent'>>(tx, sql`
    select count(*) filter (where mfa_status = 'Enabled')::int as enabled,
      count(*) filter (where mfa_status = 'Disabled')::int as disabled,
      count(*) filter (where mfa_status = 'N/A')::int as "notApplicable",
      count(*) filter (where mfa_status = 'Unknown')::int as unknown,
      count(*)::int as total,
      count(*) filter (where ${enabledMember})::int as "enabledMemberAccounts",
      count(*) filter (where ${enabledMember} and mfa_status = 'Enabled')::int as "enabledMembersWithMfa"
    from ${visibleUsers(clientId)} u`)
  if (!row) throw new Error('MFA summary query returned nothing')
  return { ...row, enabledMembersWithMfaPercent: percent(row.enabledMembersWithMfa, row.enabledMemberAccounts) }
}

const enabledMember = sql.raw("u.object_type = 'user' and u.user_type = 'Member' and u.account_enabled and not u.deleted")

export const percent = (part: number, whole: number): number | null =>
  whole === 0 ? null : Math.round((part * 1000) / whole) / 10

/**
 * Merge counts over all the client's users and contacts, whatever the mode: any match counts (the
 * build's pairs, stagePairs first), not only the one a row shows; rows/matched from the rows as inserted.
 */
export async function mergeStats (tx: AnyDb, clientId: string, mode: MergeMode, rows: RowCounts): Promise<MergeStats> {
  const [row] = await queryRows<Pick<MergeStats, 'contacts' | 'contactsWithoutLicense' | 'licensedUsers' | 'licensedUsersWithoutContact'>>(tx, sql`
    with contacts as (
      select count(*)::int as contacts, count(*) filter (where p.psa is null)::int as "contactsWithoutLicense"
      from report.contacts c
      left join (select distinct psa, connection_id, external_id from ${PAIRS} where licensed) p
        on p.psa = c.psa and p.connection_id = c.connection_id and p.external_id = c.external_id
      where c.client_id = ${clientId}::uuid and not c.deleted
    ), users as (
      select count(*)::int as "licensedUsers", count(*) filter (where p.user_id is null)::int as "licensedUsersWithoutContact"
      from ${visibleUsers(clientId)} u
      left join (select distinct tenant_id, user_id from ${PAIRS}) p on p.tenant_id = u.tenant_id and p.user_id = u.user_id
      where not u.deleted and jsonb_array_length(u.licenses) > 0
    )
    select * from contacts, users`)
  if (!row) throw new Error('merge statistics query returned nothing')
  const { rows: rowCount, matched, matchedBy } = rows
  return { mode, rows: rowCount, matched, ...row, matchedBy }
}

/** Which sync per tenant and which contact state the version was built from. */
export async function versionSource (tx: AnyDb, clientId: string): Promise<VersionSource> {
  const tenants = await queryRows<{ tenantId: string, syncId: string | null, mode: string | null, completedAt: Date | null }>(tx, sql`
    with ids as (
      select tenant_id from report.tenants where client_id = ${clientId}::uuid and status = 'connected'
      union select distinct tenant_id from ${visibleUsers(clientId)} u
    )
    select ids.tenant_id as "tenantId", s.sync_id as "syncId", s.mode, s.completed_at as "completedAt"
    from ids left join report.tenant_sync_state s on s.tenant_id = ids.tenant_id order by ids.tenant_id`)
  const [contacts] = await queryRows<{ count: number, maxRevision: string | number | null, lastChangeAt: Date | null }>(tx, sql`
    select count(*) filter (where not deleted)::int as count, max(revision) as "maxRevision", max(received_at) as "lastChangeAt"
    from report.contacts where client_id = ${clientId}::uuid`)
  return {
    tenants: tenants.map((t) => ({ ...t, completedAt: iso(t.completedAt) })),
    contacts: {
      count: contacts?.count ?? 0,
      maxRevision: contacts?.maxRevision == null ? null : Number(contacts.maxRevision),
      lastChangeAt: iso(contacts?.lastChangeAt ?? null)
    }
  }
}

export const iso = (value: Date | string | null): string | null =>
  value === null ? null : new Date(value).toISOString()
