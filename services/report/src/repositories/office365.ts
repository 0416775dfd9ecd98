import { sql, type SQL } from 'drizzle-orm'
import { decodeCursor, type O365LicenseItem, type O365UserItem, type O365UsersQuery, type PageQuery, toPage } from '@m365/api'
import { queryRows, type AnyDb } from '@m365/db'
import { visibleUsers } from '../build/scope-sql.js'
import { licenseSummarySql } from '../build/summaries.js'

interface UserRow {
  tenant_id: string
  user_id: string
  object_type: O365UserItem['objectType']
  display_name: string | null
  user_principal_name: string | null
  mail: string | null
  other_mails: string[]
  proxy_addresses: string[]
  user_type: string | null
  account_enabled: boolean | null
  deleted: boolean
  deleted_at: Date | null
  licenses: O365UserItem['licenses']
  mfa: O365UserItem['mfa']
  sync_id: string
  synced_at: Date
  sort_name: string
}

const likePattern = (text: string) => `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`

/** The filters of GET /office365/users as SQL conditions on `u`. */
function userFilters (query: O365UsersQuery): SQL[] {
  const where: SQL[] = []
  if (query.mfaStatus) where.push(sql`u.mfa_status = ${query.mfaStatus}`)
  if (query.userType) where.push(sql`u.user_type = ${query.userType}`)
  if (query.objectType) where.push(sql`u.object_type = ${query.objectType}`)
  if (query.accountEnabled !== undefined) where.push(sql`u.account_enabled = ${query.accountEnabled}`)
  if (query.deleted !== undefined) where.push(sql`u.deleted = ${query.deleted}`)
  const license = query.license ?? query.licence
  if (license?.toLowerCase() === 'none') where.push(sql`jsonb_array_length(u.licenses) = 0`)
  else if (license) {
    where.push(sql`exists (select 1 from jsonb_array_elements(u.licenses) l
      where lower(l->>'skuId') = lower(${license}) or lower(l->>'skuPartNumber') = lower(${license}))`)
  }
  if (query.q) {
    const pattern = likePattern(query.q)
    where.push(sql`(u.sort_name like ${pattern} or lower(u.display_name) like ${pattern} or exists (
      select 1 from report.o365_user_addresses a where a.tenant_id = u.tenant_id and a.user_id = u.user_id and a.address like ${pattern}))`)
  }
  return where
}

export function createOffice365 (db: AnyDb) {
  return {
    /** The client's current users, by name; every filter narrows. */
    async users (clientId: string, query: O365UsersQuery) {
      const after = decodeCursor(query.cursor, ['text', 'uuid', 'uuid'])
      const where = userFilters(query)
      if (after) where.push(sql`(u.sort_name, u.tenant_id, u.user_id) > (${after[0]}, ${after[1]}::uuid, ${after[2]}::uuid)`)
      const rows = await queryRows<UserRow>(db, sql`
        select u.* from ${visibleUsers(clientId)} u
        ${where.length ? sql`where ${sql.join(where, sql` and `)}` : sql``}
        order by u.sort_name, u.tenant_id, u.user_id limit ${query.limit + 1}`)
      return toPage(rows, query.limit, toUser, (row) => [row.sort_name, row.tenant_id, row.user_id])
    },

    /** Per SKU over the client's tenants, by part number. */
    async licenses (clientId: string, query: PageQuery) {
      const after = decodeCursor(query.cursor, ['text', 'uuid'])
      const rows = await queryRows<O365LicenseItem>(db, sql`
        select * from (${licenseSummarySql(clientId)}) x
        ${after ? sql`where (x."skuPartNumber", x."skuId") > (${after[0]}, ${after[1]}::uuid)` : sql``}
        order by x."skuPartNumber", x."skuId" limit ${query.limit + 1}`)
      return toPage(rows, query.limit, (row) => row, (row) => [row.skuPartNumber, row.skuId])
    }
  }
}

function toUser (row: UserRow): O365UserItem {
  return {
    tenantId: row.tenant_id,
    id: row.user_id,
    objectType: row.object_type,
    displayName: row.display_name,
    userPrincipalName: row.user_principal_name,
    mail: row.mail,
    otherMails: row.other_mails,
    proxyAddresses: row.proxy_addresses,
    userType: row.user_type,
    accountEnabled: row.account_enabled,
    deleted: row.deleted,
    deletedAt: row.deleted_at === null ? null : new Date(row.deleted_at).toISOString(),
    licenses: row.licenses,
    mfa: row.mfa,
    syncId: row.sync_id,
    syncedAt: new Date(row.synced_at).toISOString()
  }
}

export type Office365 = ReturnType<typeof createOffice365>
