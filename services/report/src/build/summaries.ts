import { sql, type SQL } from 'drizzle-orm'
import type { LicenseSummaryItem, MergeMode, MergeStats, MfaSummary, VersionSource } from '@m365/api'
import { queryRows, type AnyDb } from '@m365/db'
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

/** Merge counts over all the client's users and contacts; rows/matched from the version's rows. */
export async function mergeStats (tx: AnyDb, clientId: string, versionId: string, mode: MergeMode): Promise<MergeStats> {
  const [row] = await queryRows<Omit<MergeStats, 'mode' | 'matchedBy'> & Record<'mail' | 'upn' | 'proxyAddress' | 'otherMail', number>>(tx, sql`
    with vu as ${visibleUsers(clientId)},
    vc as (select * from report.contacts where client_id = ${clientId}::uuid and not deleted),
    licensed as (select tenant_id, user_id from vu where not deleted and jsonb_array_length(licenses) > 0),
    pairs as (
      select distinct a.tenant_id, a.user_id, ca.psa, ca.connection_id, ca.external_id
      from report.o365_user_addresses a
      join vu on vu.tenant_id = a.tenant_id and vu.user_id = a.user_id
      join report.contact_addresses ca on ca.client_id = ${clientId}::uuid and ca.address = a.address
    ),
    version as (
      select count(*)::int as rows, count(matched_by)::int as matched,
        count(*) filter (where matched_by = 'mail')::int as mail, count(*) filter (where matched_by = 'upn')::int as upn,
        count(*) filter (where matched_by = 'proxyAddress')::int as "proxyAddress",
        count(*) filter (where matched_by = 'otherMail')::int as "otherMail"
      from report.version_rows where version_id = ${versionId}::uuid
    )
    select version.*,
      (select count(*)::int from vc) as contacts,
      (select count(*)::int from vc where not exists (
        select 1 from pairs p join licensed l on l.tenant_id = p.tenant_id and l.user_id = p.user_id
        where p.psa = vc.psa and p.connection_id = vc.connection_id and p.external_id = vc.external_id)) as "contactsWithoutLicense",
      (select count(*)::int from licensed) as "licensedUsers",
      (select count(*)::int from licensed l where not exists (
        select 1 from pairs p where p.tenant_id = l.tenant_id and p.user_id = l.user_id)) as "licensedUsersWithoutContact"
    from version`)
  if (!row) throw new Error('merge statistics query returned nothing')
  const { mail, upn, proxyAddress, otherMail, ...counts } = row
  return { mode, ...counts, matchedBy: { mail, upn, proxyAddress, otherMail } }
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
