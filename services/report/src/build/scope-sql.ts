import { sql, type SQL } from 'drizzle-orm'

/**
 * The client's tenants that are out of view: disconnected, or now another client's. NOT IN over this
 * small list (a hashed subplan), not a correlated NOT EXISTS: Postgres estimates an anti-join whose
 * condition also reads the outer row (t.client_id <> u.client_id) as removing every row, so everything
 * built on the visible users planned for one row, as nested loops that grew with users × contacts.
 */
function hiddenTenants (clientId: string): SQL {
  return sql`(select t.tenant_id from report.tenants t where t.status = 'disconnected' or t.client_id <> ${clientId}::uuid)`
}

/**
 * The client's O365 users (and org contacts) as shown: tenants that were disconnected, or now belong
 * to another client, keep their data (until ClientDeleted) but drop out of views and new versions.
 */
export function visibleUsers (clientId: string): SQL {
  return sql`(select u.* from report.o365_users u
    where u.client_id = ${clientId}::uuid and u.tenant_id not in ${hiddenTenants(clientId)})`
}

export function visibleSkus (clientId: string): SQL {
  return sql`(select s.* from report.o365_skus s
    where s.client_id = ${clientId}::uuid and s.tenant_id not in ${hiddenTenants(clientId)})`
}
