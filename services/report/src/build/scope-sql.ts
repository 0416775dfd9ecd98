import { sql, type SQL } from 'drizzle-orm'

/**
 * The client's O365 users (and org contacts) as shown: tenants that were disconnected, or now belong
 * to another client, keep their data (until ClientDeleted) but drop out of views and new versions.
 */
export function visibleUsers (clientId: string): SQL {
  return sql`(select u.* from report.o365_users u
    where u.client_id = ${clientId}::uuid and not exists (
      select 1 from report.tenants t where t.tenant_id = u.tenant_id and (t.status = 'disconnected' or t.client_id <> u.client_id)))`
}

export function visibleSkus (clientId: string): SQL {
  return sql`(select s.* from report.o365_skus s
    where s.client_id = ${clientId}::uuid and not exists (
      select 1 from report.tenants t where t.tenant_id = s.tenant_id and (t.status = 'disconnected' or t.client_id <> s.client_id)))`
}
