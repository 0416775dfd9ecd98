import { randomUUID } from 'node:crypto'
import { asc, eq, inArray, sql } from 'drizzle-orm'
import { ClientCreated, ClientDeleted } from '@m365/contracts'
import { type Client, decodeCursor, type PageQuery, toPage } from '@m365/api'
import { queryRows, type AnyDb } from '@m365/db'
import { enqueue } from '@m365/service-kit/outbox'
import { clients, outbox, tenants } from '../db/schema.js'
import { purgeClient } from '../read-model/purge-client.js'

type Row = typeof clients.$inferSelect

export function createClients (db: AnyDb, onEvent: () => void) {
  /** Rows to API clients, with their tenants and PSA companies (two queries for the whole page). */
  async function expand (rows: Row[]): Promise<Client[]> {
    if (rows.length === 0) return []
    const ids = rows.map((row) => row.id)
    const tenantRows = await db.select().from(tenants).where(inArray(tenants.clientId, ids)).orderBy(asc(tenants.tenantId))
    const companies = await queryRows<{
      clientId: string,
      psa: string,
      connectionId: string,
      companyExternalId: string | null,
      companyName: string | null,
      contacts: number
    }>(db, sql`
      select client_id as "clientId", psa, connection_id as "connectionId", company_external_id as "companyExternalId",
        max(company_name) as "companyName", count(*)::int as contacts
      from report.contacts where not deleted and client_id in (${sql.join(ids.map((id) => sql`${id}::uuid`), sql`, `)})
      group by 1, 2, 3, 4 order by 2, 3, 4`)
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      tenants: tenantRows.filter((t) => t.clientId === row.id).map((t) => ({
        tenantId: t.tenantId, displayName: t.displayName, status: t.status as 'connected' | 'disconnected', changedAt: t.changedAt.toISOString()
      })),
      psaCompanies: companies.filter((c) => c.clientId === row.id).map(({ clientId: _, ...company }) => company),
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString()
    }))
  }

  return {
    /** `scope`: the one client a client principal may see; undefined for MSP staff. */
    async list (query: PageQuery, scope: string | undefined) {
      const after = decodeCursor(query.cursor, ['text', 'uuid'])
      const name = sql`lower(${clients.name})`
      const rows = await db.select({ row: clients, sortKey: sql<string>`${name}` }).from(clients)
        .where(sql`true ${scope ? sql`and ${clients.id} = ${scope}::uuid` : sql``} ${after ? sql`and (${name}, ${clients.id}) > (${after[0]}, ${after[1]}::uuid)` : sql``}`)
        .orderBy(asc(name), asc(clients.id)).limit(query.limit + 1)
      const page = toPage(rows, query.limit, ({ row }) => row, ({ row, sortKey }) => [sortKey, row.id])
      return { items: await expand(page.items), nextCursor: page.nextCursor }
    },

    async get (id: string): Promise<Client | undefined> {
      const rows = await db.select().from(clients).where(eq(clients.id, id))
      return (await expand(rows))[0]
    },

    /** The client and its ClientCreated event commit together (outbox). */
    async create (name: string): Promise<Client> {
      const now = new Date()
      const row = await db.transaction(async (tx) => {
        const [created] = await tx.insert(clients).values({ id: randomUUID(), name, createdAt: now, updatedAt: now }).returning()
        if (!created) throw new Error('insert returned no client')
        await enqueue(tx, outbox, ClientCreated, { clientId: created.id, name, createdAt: now.toISOString() })
        return created
      })
      onEvent()
      return (await expand([row]))[0] as Client
    },

    async rename (id: string, name: string): Promise<Client | undefined> {
      const rows = await db.update(clients).set({ name, updatedAt: new Date() }).where(eq(clients.id, id)).returning()
      return (await expand(rows))[0]
    },

    /** Removes the client, its reports and versions and everything the read model holds for it; announces ClientDeleted. */
    async delete (id: string): Promise<boolean> {
      const deleted = await db.transaction(async (tx) => {
        const [row] = await tx.select().from(clients).where(eq(clients.id, id)).for('update')
        if (!row) return false
        const deletedAt = new Date().toISOString()
        await purgeClient(tx, id, deletedAt)
        await enqueue(tx, outbox, ClientDeleted, { clientId: id, deletedAt })
        return true
      })
      if (deleted) onEvent()
      return deleted
    }
  }
}

export type Clients = ReturnType<typeof createClients>
