import { and, asc, eq, gt, sql } from 'drizzle-orm'
import { type CompanyMapping, type CompanyMappingResult, decodeCursor, type PsaCompany, toPage } from '@m365/api'
import { queryRows, type AnyDb } from '@m365/db'
import { badRequest, notFound } from '@m365/service-kit'
import { enqueueEvents } from '@m365/service-kit/outbox'
import { transition, type AnyEvent } from '../contacts/events.js'
import { companyMappings, contacts, outbox, psaConnections } from '../db/schema.js'
import { lockConnection } from '../lib/contact-lock.js'

const CHUNK = 500

/**
 * Replaces a connection's company → client mapping. Contacts of every company whose client changed are published
 * again (ContactsUpserted under the new client; ContactsDeleted to the old one when it became unmapped), in the
 * same transaction, which holds the connection's lock exclusively so no contact is written under the old mapping meanwhile.
 */
export async function putMapping (db: AnyDb, connectionId: string, companies: readonly CompanyMapping[]): Promise<CompanyMappingResult> {
  const seen = new Set<string>()
  companies.forEach((c, i) => {
    if (seen.has(c.companyExternalId)) throw badRequest(`body/companies/${i}/companyExternalId ${c.companyExternalId} is listed twice`)
    seen.add(c.companyExternalId)
  })
  return await db.transaction(async (tx) => {
    await lockConnection(tx, connectionId)
    const [connection] = await tx.select({ id: psaConnections.id }).from(psaConnections).where(eq(psaConnections.id, connectionId))
    if (!connection) throw notFound(`PSA connection ${connectionId}`)
    const before = new Map((await tx.select().from(companyMappings).where(eq(companyMappings.connectionId, connectionId)))
      .map((m) => [m.companyExternalId, m.clientId]))
    const after = new Map(companies.map((c) => [c.companyExternalId, c.clientId]))
    const changed = [...new Set([...before.keys(), ...after.keys()])].filter((company) => before.get(company) !== after.get(company))

    await tx.delete(companyMappings).where(eq(companyMappings.connectionId, connectionId))
    if (companies.length > 0) {
      await tx.insert(companyMappings).values(companies.map((c) => ({ connectionId, companyExternalId: c.companyExternalId, clientId: c.clientId })))
    }
    let republished = 0
    for (const company of changed) republished += await republishCompany(tx, connectionId, company, after.get(company) ?? null)
    return { companies: [...companies].sort((a, b) => a.companyExternalId.localeCompare(b.companyExternalId)), republished }
  })
}

/** Publishes a company's live contacts under `target` (or withdraws them from the client holding them). */
async function republishCompany (tx: AnyDb, connectionId: string, company: string, target: string | null): Promise<number> {
  let after = ''
  let count = 0
  for (;;) {
    const rows = await tx.select().from(contacts)
      .where(and(eq(contacts.connectionId, connectionId), eq(contacts.companyExternalId, company), eq(contacts.deleted, false),
        gt(contacts.externalId, after)))
      .orderBy(asc(contacts.externalId)).limit(CHUNK)
    const events: AnyEvent[] = []
    for (const row of rows) {
      if (row.clientId === null && target === null) continue
      const next = { ...row, revision: row.revision + 1, changedAt: new Date() }
      const result = transition(next, row.clientId, target)
      await tx.update(contacts).set({ revision: next.revision, clientId: result.clientId, changedAt: next.changedAt })
        .where(and(eq(contacts.connectionId, connectionId), eq(contacts.externalId, row.externalId)))
      events.push(...result.events)
      count++
    }
    await enqueueEvents(tx, outbox, events)
    if (rows.length < CHUNK) return count
    after = rows[rows.length - 1]?.externalId ?? after
  }
}

/** Mapped companies and companies seen in contacts, with their client and live contact count, by company id. */
export async function listCompanies (db: AnyDb, connectionId: string, query: { limit: number, cursor?: string | undefined }) {
  const after = decodeCursor(query.cursor, ['text'])?.[0]
  const rows = await queryRows<{ company: string, name: string | null, client: string | null, contacts: number }>(db, sql`
    with seen as (
      select company_external_id as company, max(company_name) as name, count(*) filter (where not deleted)::int as contacts
      from contacts_ingest.contacts where connection_id = ${connectionId} and company_external_id is not null
      group by company_external_id),
    companies as (
      select coalesce(s.company, m.company_external_id) as company, s.name, m.client_id as client, coalesce(s.contacts, 0) as contacts
      from seen s full join (select * from contacts_ingest.company_mappings where connection_id = ${connectionId}) m
        on m.company_external_id = s.company)
    select company, name, client, contacts from companies
    where ${after === undefined ? sql`true` : sql`company > ${after}`}
    order by company limit ${query.limit + 1}`)
  return toPage(rows, query.limit, (r): PsaCompany => ({
    companyExternalId: r.company, companyName: r.name, clientId: r.client, contacts: Number(r.contacts)
  }), (r) => [r.company])
}
