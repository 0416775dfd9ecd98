import { sql } from 'drizzle-orm'
import type { ContactsDeleted, ContactsUpserted, EventOf } from '@m365/contracts'
import { queryRows, type AnyDb } from '@m365/db'
import { isDeletedClient, markProcessed } from './guards.js'

/** Replaces the contact when the revision is newer than the one held (a tombstone counts too). */
export async function handleContactUpserted (db: AnyDb, event: EventOf<typeof ContactsUpserted>): Promise<void> {
  const { clientId, revision, contact: c } = event.data
  const addresses = uniqueAddresses(c.emails)
  await db.transaction(async (tx) => {
    if (!await markProcessed(tx, event.id)) return
    if (await isDeletedClient(tx, clientId)) return
    const written = await queryRows(tx, sql`
      insert into report.contacts as cur (psa, connection_id, external_id, client_id, revision, deleted, first_name, last_name,
        primary_email, emails, phone, title, company_external_id, company_name, active, updated_at, received_at)
      values (${c.psa}, ${c.connectionId}::uuid, ${c.externalId}, ${clientId}::uuid, ${revision}, false, ${c.firstName}, ${c.lastName},
        ${addresses.find((a) => a.primary)?.address ?? addresses[0]?.address ?? null}, ${JSON.stringify(c.emails)}::jsonb, ${c.phone},
        ${c.title}, ${c.companyExternalId}, ${c.companyName}, ${c.active}, ${c.updatedAt}::timestamptz, now())
      on conflict (psa, connection_id, external_id) do update set
        client_id = excluded.client_id, revision = excluded.revision, deleted = false, first_name = excluded.first_name,
        last_name = excluded.last_name, primary_email = excluded.primary_email, emails = excluded.emails, phone = excluded.phone,
        title = excluded.title, company_external_id = excluded.company_external_id, company_name = excluded.company_name,
        active = excluded.active, updated_at = excluded.updated_at, received_at = now()
      where cur.revision < excluded.revision
      returning 1`)
    if (written.length === 0) return
    await tx.execute(sql`delete from report.contact_addresses
      where psa = ${c.psa} and connection_id = ${c.connectionId}::uuid and external_id = ${c.externalId}`)
    for (const { address, primary } of addresses) {
      await tx.execute(sql`insert into report.contact_addresses (psa, connection_id, external_id, client_id, address, is_primary)
        values (${c.psa}, ${c.connectionId}::uuid, ${c.externalId}, ${clientId}::uuid, ${address}, ${primary})`)
    }
  })
}

/** Leaves a tombstone with the revision (and nothing personal), so older upserts stay dropped. */
export async function handleContactDeleted (db: AnyDb, event: EventOf<typeof ContactsDeleted>): Promise<void> {
  const { clientId, revision, psa, connectionId, externalId } = event.data
  await db.transaction(async (tx) => {
    if (!await markProcessed(tx, event.id)) return
    await tx.execute(sql`
      insert into report.contacts as cur (psa, connection_id, external_id, client_id, revision, deleted, emails, received_at)
      values (${psa}, ${connectionId}::uuid, ${externalId}, ${clientId}::uuid, ${revision}, true, '[]'::jsonb, now())
      on conflict (psa, connection_id, external_id) do update set
        client_id = excluded.client_id, revision = excluded.revision, deleted = true, first_name = null, last_name = null,
        primary_email = null, emails = '[]'::jsonb, phone = null, title = null, company_external_id = null,
        company_name = null, active = null, updated_at = null, received_at = now()
      where cur.revision < excluded.revision`)
    await tx.execute(sql`delete from report.contact_addresses
      where psa = ${psa} and connection_id = ${connectionId}::uuid and external_id = ${externalId}
        and exists (select 1 from report.contacts c where c.psa = ${psa} and c.connection_id = ${connectionId}::uuid
          and c.external_id = ${externalId} and c.deleted)`)
  })
}

/** Addresses lower-cased and trimmed once each; primary wins when an address is listed twice. */
function uniqueAddresses (emails: Array<{ address: string, primary: boolean }>) {
  const byAddress = new Map<string, boolean>()
  for (const email of emails) {
    const address = email.address.trim().toLowerCase()
    if (address) byAddress.set(address, (byAddress.get(address) ?? false) || email.primary)
  }
  return [...byAddress].map(([address, primary]) => ({ address, primary }))
}
