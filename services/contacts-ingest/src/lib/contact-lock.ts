import { createHash } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { queryRows, type AnyDb } from '@m365/db'

/** A 64-bit advisory lock key for one contact (signed, as Postgres bigint). */
export function contactLockKey (connectionId: string, externalId: string): bigint {
  return createHash('sha256').update(`contacts_ingest:${connectionId}:${externalId}`).digest().readBigInt64BE(0)
}

/**
 * Serialises every writer of these contacts until the transaction ends. Keys are taken in ascending order,
 * so two transactions locking overlapping sets cannot deadlock; a row need not exist yet (new contacts).
 */
export async function lockContacts (tx: AnyDb, connectionId: string, externalIds: readonly string[]): Promise<void> {
  if (externalIds.length === 0) return
  const keys = [...new Set(externalIds.map((id) => contactLockKey(connectionId, id)))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  if (keys.length === 1) {
    await tx.execute(sql`select pg_advisory_xact_lock(${String(keys[0])}::bigint)`)
    return
  }
  const list = `{${keys.join(',')}}`
  // the sorted subquery feeds the aggregate row by row, so the locks are taken in key order
  await tx.execute(sql`select count(pg_advisory_xact_lock(k)) from (select k from unnest(${list}::bigint[]) as u(k) order by k) s`)
}

export class ConnectionGoneError extends Error {
  override readonly name = 'ConnectionGoneError'
}

export function connectionLockKey (connectionId: string): bigint {
  return createHash('sha256').update(`contacts_ingest:connection:${connectionId}`).digest().readBigInt64BE(0)
}

/**
 * Contact writers share a lock on their connection; replacing the company mapping or deleting the connection takes
 * it exclusively (lockConnection), so no contact is written under a mapping that is being replaced. Advisory locks,
 * not row locks: hundreds of concurrent writers of one connection would otherwise all rewrite its row's lock bits.
 */
export async function shareConnection (tx: AnyDb, connectionId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock_shared(${String(connectionLockKey(connectionId))}::bigint)`)
  const rows = await queryRows(tx, sql`select 1 from contacts_ingest.psa_connections where id = ${connectionId}`)
  if (rows.length === 0) throw new ConnectionGoneError(`PSA connection ${connectionId} no longer exists`)
}

/** The exclusive side of shareConnection; taken before any contact lock, like the shared side. */
export async function lockConnection (tx: AnyDb, connectionId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${String(connectionLockKey(connectionId))}::bigint)`)
}
