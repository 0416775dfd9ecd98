import type postgres from 'postgres'

/**
 * Read-only looks at what the services stored, for the invariants the public API cannot express
 * (a delivery stored exactly once, the read model agreeing with its source). Tests never write here.
 */

/** contacts-ingest: stored webhook deliveries of a connection, per dedupe key. */
export async function storedDeliveries (sql: postgres.Sql, connectionId: string): Promise<Map<string, { count: number, status: string }>> {
  const rows = await sql<Array<{ dedupe_key: string, n: number, status: string }>>`
    select dedupe_key, count(*)::int as n, min(status) as status from contacts_ingest.webhook_deliveries
    where connection_id = ${connectionId} group by dedupe_key`
  return new Map(rows.map((r) => [r.dedupe_key, { count: r.n, status: r.status }]))
}

/** contacts-ingest: deliveries not processed yet (pending or being worked on). */
export async function unprocessedDeliveries (sql: postgres.Sql): Promise<number> {
  const [row] = await sql<Array<{ n: number }>>`select count(*)::int as n from contacts_ingest.webhook_deliveries where status <> 'done'`
  return row?.n ?? 0
}

/** contacts-ingest: outbox rows not published yet. */
export async function unsentContactEvents (sql: postgres.Sql): Promise<number> {
  const [row] = await sql<Array<{ n: number }>>`select count(*)::int as n from contacts_ingest.outbox where sent_at is null`
  return row?.n ?? 0
}

export interface ContactState { externalId: string, clientId: string | null, revision: number, deleted: boolean, title: string | null }

/** A connection's contacts as contacts-ingest holds them (its source of truth). */
export async function ingestContacts (sql: postgres.Sql, connectionId: string): Promise<Map<string, ContactState>> {
  const rows = await sql<ContactRow[]>`
    select external_id, client_id, revision, deleted, title from contacts_ingest.contacts where connection_id = ${connectionId}`
  return toStates(rows)
}

/** The same connection's contacts in report's read model (fed only by contacts.* events). */
export async function reportContacts (sql: postgres.Sql, connectionId: string): Promise<Map<string, ContactState>> {
  const rows = await sql<ContactRow[]>`
    select external_id, client_id, revision, deleted, title from report.contacts where connection_id = ${connectionId}`
  return toStates(rows)
}

interface ContactRow { external_id: string, client_id: string | null, revision: number | string, deleted: boolean, title: string | null }

function toStates (rows: ContactRow[]): Map<string, ContactState> {
  return new Map(rows.map((r) => [r.external_id, { externalId: r.external_id, clientId: r.client_id, revision: Number(r.revision), deleted: r.deleted, title: r.title }]))
}

/** Contacts whose read-model state differs from contacts-ingest's (missing, stale, or unknown to the source). */
export function contactDrift (source: Map<string, ContactState>, readModel: Map<string, ContactState>): string[] {
  const drift: string[] = []
  for (const [id, c] of source) {
    if (c.clientId === null) continue // an unmapped company's contact: stored, never published
    const r = readModel.get(id)
    if (!r) drift.push(`${id}: missing`)
    else if (r.revision !== c.revision || r.deleted !== c.deleted) drift.push(`${id}: revision ${r.revision} (deleted ${r.deleted}), source ${c.revision} (deleted ${c.deleted})`)
  }
  for (const id of readModel.keys()) if (!source.has(id)) drift.push(`${id}: not in contacts-ingest`)
  return drift
}

/** graph-sync: the pid of the worker process running the sync's open attempt (worker ids are `host:pid:random`). */
export async function syncWorkerPid (sql: postgres.Sql, syncId: string): Promise<number | undefined> {
  const [row] = await sql<Array<{ worker: string }>>`
    select worker from graph_sync.sync_attempts where sync_id = ${syncId} and finished_at is null order by attempt desc limit 1`
  const pid = row?.worker.split(':')[1]
  return pid ? Number(pid) : undefined
}

/**
 * report: a version build is under way right now, with rows already inserted in its (uncommitted)
 * transaction: the backend's current or last statement inserts into version_rows, inside a transaction.
 */
export async function versionRowsBeingInserted (sql: postgres.Sql): Promise<boolean> {
  const rows = await sql`
    select 1 from pg_stat_activity
    where datname = current_database() and pid <> pg_backend_pid()
      and state in ('active', 'idle in transaction') and query ilike '%insert into report.version_rows%'`
  return rows.length > 0
}

/** report: stored rows per version (what the API's rowCount claims must match). */
export async function storedVersionRows (sql: postgres.Sql, versionIds: string[]): Promise<Map<string, number>> {
  const rows = await sql<Array<{ version_id: string, n: number }>>`
    select version_id, count(*)::int as n from report.version_rows where version_id = any(${versionIds}::uuid[]) group by version_id`
  return new Map(rows.map((r) => [r.version_id, r.n]))
}

/** report: a tenant's directory objects in the read model (a cheap way to wait for a sync to be applied). */
export async function reportObjectCount (sql: postgres.Sql, tenantId: string): Promise<number> {
  const [row] = await sql<Array<{ n: number }>>`select count(*)::int as n from report.o365_users where tenant_id = ${tenantId}`
  return row?.n ?? 0
}
