import { sql } from 'drizzle-orm'
import type { AnyDb } from '@m365/db'
import { visibleUsers } from './scope-sql.js'

/** The temporary table stagePairs fills; it lives until the build's transaction ends. */
export const PAIRS = sql.raw('pg_temp.build_pairs')

/**
 * Every match of a visible user's address with one of the client's contact addresses (one row per
 * user address × contact address), joined ONCE per build: the version's rows (best match per user or
 * per contact) and the merge statistics (any match) are both derived from it. The user's flags the
 * two read are copied in, so neither joins the users again to choose or count.
 */
export async function stagePairs (tx: AnyDb, clientId: string): Promise<void> {
  await tx.execute(sql`create temporary table ${PAIRS} (
      tenant_id uuid not null, user_id uuid not null, address text not null, kind text not null, rank smallint not null,
      psa text not null, connection_id uuid not null, external_id text not null, is_primary boolean not null,
      user_deleted boolean not null, is_user boolean, licensed boolean not null
    ) on commit drop`)
  await tx.execute(sql`
    insert into ${PAIRS}
    select a.tenant_id, a.user_id, a.address, a.kind, a.rank, ca.psa, ca.connection_id, ca.external_id, ca.is_primary,
      u.deleted, u.object_type = 'user', not u.deleted and jsonb_array_length(u.licenses) > 0
    from report.o365_user_addresses a
    join ${visibleUsers(clientId)} u on u.tenant_id = a.tenant_id and u.user_id = a.user_id
    join report.contact_addresses ca on ca.client_id = ${clientId}::uuid and ca.address = a.address`)
}
