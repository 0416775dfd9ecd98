import type { SQL } from 'drizzle-orm'
import type { AnyDb } from './service-db.js'

/**
 * Runs raw SQL and returns its rows whichever driver is underneath: postgres-js answers with an
 * array of rows, PGlite with `{ rows }`. Works on a transaction too.
 */
export async function queryRows<T = Record<string, unknown>> (
  db: AnyDb,
  query: SQL
): Promise<T[]> {
  const result: unknown = await db.execute(query)
  if (Array.isArray(result)) return result as T[]
  return (result as { rows: T[] }).rows
}
