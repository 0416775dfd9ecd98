import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js'
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core'
import type { DatabaseHandle } from './database.js'
import { migrate, type MigrateResult } from './migrate.js'
import type { DbLogger } from './logger.js'

/**
 * A drizzle database whichever driver is underneath. Services use PgDatabase-level APIs
 * (select, insert, transaction, `db.query.*` when tables are given); raw SQL goes through `queryRows`.
 */
export type Db<TTables extends Record<string, unknown> = Record<string, never>> = PgDatabase<PgQueryResultHKT, TTables>

/** Any service's Db, whatever its tables: for helpers that take a db or a transaction. */
export type AnyDb = PgDatabase<PgQueryResultHKT, any>

export interface ServiceDbOptions<TTables extends Record<string, unknown>> {
  /** The service's Postgres schema (`report`); its tables are declared with `pgSchema(schema)`. */
  schema: string
  /** drizzle-kit output folder (`src/db/migrations`); needed for `migrate()`. */
  migrationsFolder?: string
  /** Tables and relations, for drizzle's relational queries (`db.query.*`). */
  tables?: TTables
  log?: DbLogger
}

export interface ServiceDb<TTables extends Record<string, unknown> = Record<string, never>> {
  db: Db<TTables>
  schema: string
  /** Applies the pending migrations of `migrationsFolder` into the service's schema. */
  migrate(): Promise<MigrateResult>
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/

export function createServiceDb<TTables extends Record<string, unknown> = Record<string, never>> (
  handle: DatabaseHandle, options: ServiceDbOptions<TTables>
): ServiceDb<TTables> {
  const { schema, migrationsFolder, tables, log } = options
  if (!SCHEMA_NAME.test(schema)) throw new Error(`invalid schema name ${JSON.stringify(schema)}`)
  const config = tables ? { schema: tables } : {}
  const db = (handle.kind === 'postgres'
    ? drizzlePostgres(handle.client, config)
    : drizzlePglite(handle.client, config)) as unknown as Db<TTables>
  return {
    db,
    schema,
    async migrate () {
      if (!migrationsFolder) throw new Error(`no migrationsFolder given for schema ${schema}`)
      return await migrate(db, { schema, migrationsFolder, log })
    }
  }
}
