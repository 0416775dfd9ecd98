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
 * Every row remembers the completedAt of the sync that wrote it, and every user a delta removed is
 * remembered with it (o365_user_removals), so a sync applied late never overwrites, removes or brings
 * back what a newer one wrote or removed. A full sync removes the tenant's rows it did not send.
 */
export async function applySync (tx: AnyDb, sync: SyncToApply): Promise<void> {
  if (await olderThanLastFullSync(tx, sync)) return
  await writeUsersAndAddresses(tx, sync)
  await removeUsers(tx, sync)
  await recordSyncState(tx, sync)
}

/**
 * A full sync says who existed at its time, those it left out included (even users no row was ever
 * written for): whatever an older sync says is stale then.
 */
async function olderThanLastFullSync (tx: AnyDb, { tenantId, completedAt }: SyncToApply): Promise<boolean> {
  const rows = await queryRows(tx, sql`select 1 from report.tenant_sync_state
    where tenant_id = ${tenantId}::uuid and full_completed_at > ${completedAt}::timestamptz`)
  return rows.length > 0
}

/** A full sync removes every older row of the tenant, a delta only the users it names, and remembers those. */
async function removeUsers (tx: AnyDb, sync: SyncToApply): Promise<void> {
  const { syncId, tenantId, clientId, completedAt } = sync
  const named = sql`select (jsonb_array_elements_text(b.payload->'userIds'))::uuid as user_id from report.staged_batches b
    where b.sync_id = ${syncId}::uuid and b.kind = 'removed'`
  const older = sql`u.tenant_id = ${tenantId}::uuid and u.synced_at < ${completedAt}::timestamptz`
  const removed = sync.mode === 'full' ? older : sql`${older} and u.user_id in (${named})`
  await tx.execute(sql`delete from report.o365_user_addresses a using report.o365_users u
    where ${removed} and a.tenant_id = u.tenant_id and a.user_id = u.user_id`)
  await tx.execute(sql`delete from report.o365_users u where ${removed}`)
  if (sync.mode === 'full') return
  // every user named, with a row or not: an older sync applied late may be the one that would write it
  await tx.execute(sql`
    insert into report.o365_user_removals as cur (tenant_id, user_id, client_id, removed_at)
    select distinct ${tenantId}::uuid, n.user_id, ${clientId}::uuid, ${completedAt}::timestamptz from (${named}) n
    on conflict (tenant_id, user_id) do update set client_id = excluded.client_id, removed_at = excluded.removed_at
    where cur.removed_at < excluded.removed_at`)
}

/**
 * The sync the tenant's data is from (unless a newer one is). From a full sync on, older syncs change
 * nothing (olderThanLastFullSync), so the removals remembered before it can go.
 */
async function recordSyncState (tx: AnyDb, sync: SyncToApply): Promise<void> {
  const { syncId, tenantId, clientId, completedAt } = sync
  await tx.execute(sql`
    insert into report.tenant_sync_state as cur (tenant_id, client_id, sync_id, mode, completed_at)
    values (${tenantId}::uuid, ${clientId}::uuid, ${syncId}::uuid, ${sync.mode}, ${completedAt}::timestamptz)
    on conflict (tenant_id) do update set client_id = excluded.client_id, sync_id = excluded.sync_id, mode = excluded.mode,
      completed_at = excluded.completed_at
    where cur.completed_at <= excluded.completed_at`)
  if (sync.mode !== 'full') return
  await tx.execute(sql`update report.tenant_sync_state set full_completed_at = greatest(full_completed_at, ${completedAt}::timestamptz)
    where tenant_id = ${tenantId}::uuid`)
  await tx.execute(sql`delete from report.o365_user_removals where tenant_id = ${tenantId}::uuid and removed_at <= ${completedAt}::timestamptz`)
}

/**
 * The staged users upserted, and the match addresses of those written rebuilt, in one statement: the
 * upsert returns what it wrote, their old addresses go, their new ones come from the returned rows
 * (the statement's parts see the table as it was before it, so the delete only meets old rows). Each
 * address is kept once per user under its best kind (mail, UPN, smtp: proxy addresses, otherMails): a
 * version's match takes the best rank anyway, and mail, UPN and primary SMTP address are usually the
 * same address (a third of the rows). Each kind is one pass over the written rows, the union sorted once.
 * A user a newer sync removed is not written; a user written is no longer remembered as removed.
 */
async function writeUsersAndAddresses (tx: AnyDb, sync: SyncToApply): Promise<void> {
  const { syncId, tenantId, clientId, completedAt } = sync
  await tx.execute(sql`
    with written as (
      insert into report.o365_users as cur (tenant_id, user_id, client_id, object_type, display_name, user_principal_name, mail,
        other_mails, proxy_addresses, user_type, account_enabled, deleted, deleted_at, licenses, mfa, mfa_status, sort_name,
        sync_id, synced_at)
      select distinct on (u->>'id') ${tenantId}::uuid, (u->>'id')::uuid, ${clientId}::uuid, u->>'objectType', u->>'displayName',
        u->>'userPrincipalName', u->>'mail', u->'otherMails', u->'proxyAddresses', u->>'userType', (u->>'accountEnabled')::boolean,
        (u->>'deleted')::boolean, (u->>'deletedAt')::timestamptz, u->'licenses', u->'mfa', u->'mfa'->>'status',
        lower(coalesce(u->>'displayName', u->>'userPrincipalName', u->>'mail', '')), ${syncId}::uuid, ${completedAt}::timestamptz
      from report.staged_batches b cross join lateral jsonb_array_elements(b.payload->'users') u
      where b.sync_id = ${syncId}::uuid and b.kind = 'upserted' and not exists (select 1 from report.o365_user_removals r
        where r.tenant_id = ${tenantId}::uuid and r.user_id = (u->>'id')::uuid and r.removed_at > ${completedAt}::timestamptz)
      order by u->>'id', b.batch desc
      on conflict (tenant_id, user_id) do update set
        client_id = excluded.client_id, object_type = excluded.object_type, display_name = excluded.display_name,
        user_principal_name = excluded.user_principal_name, mail = excluded.mail, other_mails = excluded.other_mails,
        proxy_addresses = excluded.proxy_addresses, user_type = excluded.user_type, account_enabled = excluded.account_enabled,
        deleted = excluded.deleted, deleted_at = excluded.deleted_at, licenses = excluded.licenses, mfa = excluded.mfa,
        mfa_status = excluded.mfa_status, sort_name = excluded.sort_name, sync_id = excluded.sync_id, synced_at = excluded.synced_at
      where cur.synced_at <= excluded.synced_at
      returning tenant_id, user_id, mail, user_principal_name, proxy_addresses, other_mails
    ), cleared as (
      delete from report.o365_user_addresses a using written w where a.tenant_id = w.tenant_id and a.user_id = w.user_id
    ), revived as (
      delete from report.o365_user_removals r using written w where r.tenant_id = w.tenant_id and r.user_id = w.user_id
    )
    insert into report.o365_user_addresses (tenant_id, user_id, address, kind, rank)
    select distinct on (c.user_id, c.address) c.tenant_id, c.user_id, c.address, c.kind, c.rank
    from (
      select w.tenant_id, w.user_id, lower(btrim(w.mail)) as address, 'mail' as kind, 1 as rank from written w
      union all select w.tenant_id, w.user_id, lower(btrim(w.user_principal_name)), 'upn', 2 from written w
      union all select w.tenant_id, w.user_id, lower(btrim(substr(p, 6))), 'proxyAddress', 3
        from written w cross join jsonb_array_elements_text(w.proxy_addresses) p where p ilike 'smtp:%'
      union all select w.tenant_id, w.user_id, lower(btrim(o)), 'otherMail', 4
        from written w cross join jsonb_array_elements_text(w.other_mails) o
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
