import { sql } from 'drizzle-orm'
import { queryRows, type AnyDb } from '@m365/db'

export interface SyncToApply {
  syncId: string
  tenantId: string
  clientId: string
  mode: 'full' | 'delta'
  completedAt: string
}

/**
 * Applies one complete sync from its staged batches, set-based, inside the caller's transaction.
 * Every row remembers the completedAt of the sync that wrote it, so a sync applied late never
 * overwrites or removes what a newer one wrote. A full sync removes the tenant's rows it did not send.
 */
export async function applySync (tx: AnyDb, sync: SyncToApply): Promise<void> {
  const { syncId, tenantId, clientId, completedAt } = sync
  await tx.execute(sql`
    insert into report.o365_users as cur (tenant_id, user_id, client_id, object_type, display_name, user_principal_name, mail,
      other_mails, proxy_addresses, user_type, account_enabled, deleted, deleted_at, licenses, mfa, mfa_status, sort_name,
      sync_id, synced_at)
    select distinct on (u->>'id') ${tenantId}::uuid, (u->>'id')::uuid, ${clientId}::uuid, u->>'objectType', u->>'displayName',
      u->>'userPrincipalName', u->>'mail', u->'otherMails', u->'proxyAddresses', u->>'userType', (u->>'accountEnabled')::boolean,
      (u->>'deleted')::boolean, (u->>'deletedAt')::timestamptz, u->'licenses', u->'mfa', u->'mfa'->>'status',
      lower(coalesce(u->>'displayName', u->>'userPrincipalName', u->>'mail', '')), ${syncId}::uuid, ${completedAt}::timestamptz
    from report.staged_batches b cross join lateral jsonb_array_elements(b.payload->'users') u
    where b.sync_id = ${syncId}::uuid and b.kind = 'upserted'
    order by u->>'id', b.batch desc
    on conflict (tenant_id, user_id) do update set
      client_id = excluded.client_id, object_type = excluded.object_type, display_name = excluded.display_name,
      user_principal_name = excluded.user_principal_name, mail = excluded.mail, other_mails = excluded.other_mails,
      proxy_addresses = excluded.proxy_addresses, user_type = excluded.user_type, account_enabled = excluded.account_enabled,
      deleted = excluded.deleted, deleted_at = excluded.deleted_at, licenses = excluded.licenses, mfa = excluded.mfa,
      mfa_status = excluded.mfa_status, sort_name = excluded.sort_name, sync_id = excluded.sync_id, synced_at = excluded.synced_at
    where cur.synced_at <= excluded.synced_at`)
  await rebuildAddresses(tx, tenantId, syncId)
  const older = sql`u.tenant_id = ${tenantId}::uuid and u.synced_at < ${completedAt}::timestamptz`
  // a full sync removes every older row of the tenant, a delta only the users it names
  const removed = sync.mode === 'full'
    ? older
    : sql`${older} and u.user_id in (
        select (jsonb_array_elements_text(b.payload->'userIds'))::uuid from report.staged_batches b
        where b.sync_id = ${syncId}::uuid and b.kind = 'removed')`
  await tx.execute(sql`delete from report.o365_user_addresses a using report.o365_users u
    where ${removed} and a.tenant_id = u.tenant_id and a.user_id = u.user_id`)
  await tx.execute(sql`delete from report.o365_users u where ${removed}`)
  await tx.execute(sql`
    insert into report.tenant_sync_state as cur (tenant_id, client_id, sync_id, mode, completed_at)
    values (${tenantId}::uuid, ${clientId}::uuid, ${syncId}::uuid, ${sync.mode}, ${completedAt}::timestamptz)
    on conflict (tenant_id) do update set client_id = excluded.client_id, sync_id = excluded.sync_id, mode = excluded.mode,
      completed_at = excluded.completed_at
    where cur.completed_at <= excluded.completed_at`)
}

/**
 * The match addresses of the users this sync wrote (mail, UPN, smtp: proxy addresses, otherMails),
 * each address once per user under its best kind: a version's match takes the best rank anyway, and
 * mail, UPN and primary SMTP address are usually the same address (a third of the rows). Each kind is
 * read from the users in one pass and the union sorted once, rather than a subquery per user.
 */
async function rebuildAddresses (tx: AnyDb, tenantId: string, syncId: string): Promise<void> {
  const written = sql`u.tenant_id = ${tenantId}::uuid and u.sync_id = ${syncId}::uuid`
  await tx.execute(sql`
    delete from report.o365_user_addresses a using report.o365_users u
    where ${written} and a.tenant_id = u.tenant_id and a.user_id = u.user_id`)
  await tx.execute(sql`
    insert into report.o365_user_addresses (tenant_id, user_id, address, kind, rank)
    select distinct on (c.user_id, c.address) c.tenant_id, c.user_id, c.address, c.kind, c.rank
    from (
      select u.tenant_id, u.user_id, lower(btrim(u.mail)) as address, 'mail' as kind, 1 as rank from report.o365_users u where ${written}
      union all select u.tenant_id, u.user_id, lower(btrim(u.user_principal_name)), 'upn', 2 from report.o365_users u where ${written}
      union all select u.tenant_id, u.user_id, lower(btrim(substr(p, 6))), 'proxyAddress', 3
        from report.o365_users u cross join jsonb_array_elements_text(u.proxy_addresses) p where ${written} and p ilike 'smtp:%'
      union all select u.tenant_id, u.user_id, lower(btrim(o)), 'otherMail', 4
        from report.o365_users u cross join jsonb_array_elements_text(u.other_mails) o where ${written}
    ) c
    where c.address is not null and c.address <> ''
    order by c.user_id, c.address, c.rank`)
}

/** Replaces the tenant's SKUs unless SKUs of a newer sync are already held. */
export async function replaceSkus (tx: AnyDb, sync: SyncToApply, skus: unknown): Promise<void> {
  const { syncId, tenantId, clientId, completedAt } = sync
  const newer = await queryRows(tx, sql`
    update report.tenant_sync_state set skus_sync_id = ${syncId}::uuid, skus_completed_at = ${completedAt}::timestamptz
    where tenant_id = ${tenantId}::uuid and (skus_completed_at is null or skus_completed_at <= ${completedAt}::timestamptz)
    returning tenant_id`)
  if (newer.length === 0) return
  await tx.execute(sql`delete from report.o365_skus where tenant_id = ${tenantId}::uuid`)
  await tx.execute(sql`
    insert into report.o365_skus (tenant_id, sku_id, client_id, sku_part_number, product_name, capability_status, total, assigned,
      suspended, warning)
    select distinct on (s->>'skuId') ${tenantId}::uuid, (s->>'skuId')::uuid, ${clientId}::uuid, s->>'skuPartNumber', s->>'productName',
      s->>'capabilityStatus', (s->>'total')::int, (s->>'assigned')::int, (s->>'suspended')::int, (s->>'warning')::int
    from jsonb_array_elements(${JSON.stringify(skus)}::jsonb) s`)
}
