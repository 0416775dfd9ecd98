import { drizzle } from 'drizzle-orm/postgres-js'
import postgres from 'postgres'
import type { AnyDb } from '@m365/db'

export interface IntakeDb { db: AnyDb, close: () => Promise<void> }

/**
 * Webhook intake's own small Postgres pool, so the delivery worker and the outbox publisher (on the service pool)
 * can never keep a 202 waiting for a connection. Only where the service opened its database itself from
 * DATABASE_URL; an injected database (single process, PGlite) is shared as it is.
 */
export function openIntakeDb (shared: AnyDb, options: { url?: string | undefined, max: number, ownsDatabase: boolean }): IntakeDb {
  if (!options.url || options.max <= 0 || !options.ownsDatabase) return { db: shared, close: async () => {} }
  const client = postgres(options.url, { max: options.max, onnotice: () => {} })
  return { db: drizzle(client) as unknown as AnyDb, close: async () => { await client.end({ timeout: 5 }) } }
}
