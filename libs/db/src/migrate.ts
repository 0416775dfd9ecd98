import { sql } from 'drizzle-orm'
import { readMigrationFiles } from 'drizzle-orm/migrator'
import type { AnyDb } from './service-db.js'
import { silentLogger, type DbLogger } from './logger.js'
import { queryRows } from './rows.js'

export interface MigrateOptions {
  /** The service's schema; it also holds the migrations table. */
  schema: string
  migrationsFolder: string
  /** default `__drizzle_migrations` (drizzle's own name and layout, so drizzle-kit agrees) */
  migrationsTable?: string
  log?: DbLogger | undefined
}

export interface MigrateResult { applied: number }

// First key of the two-int advisory lock: ours, so other advisory-lock users don't collide.
const LOCK_NAMESPACE = 0x6d333635 // 'm365'

/**
 * Applies drizzle-kit migrations into `schema`, recording them in `<schema>.<migrationsTable>`.
 *
 * Unlike drizzle's `migrate()`, everything runs in ONE transaction that first takes a
 * transaction-level advisory lock for the schema: replicas starting together queue up, the
 * first applies, the others find nothing left. It also tolerates drizzle-kit's plain
 * `CREATE SCHEMA "x"` when the schema already exists (drizzle-team/drizzle-orm#2335), which
 * drizzle's migrator trips over once `migrationsSchema` is the service's own schema.
 * @see https://orm.drizzle.team/docs/migrations
 */
export async function migrate (
  db: AnyDb,
  options: MigrateOptions
): Promise<MigrateResult> {
  const { schema, migrationsFolder, migrationsTable = '__drizzle_migrations' } = options
  const log = options.log ?? silentLogger
  const migrations = readMigrationFiles({ migrationsFolder })
  const table = sql`${sql.identifier(schema)}.${sql.identifier(migrationsTable)}`
  const applied = await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${LOCK_NAMESPACE}::int, hashtext(${schema}))`)
    const [found] = await queryRows<{ n: number }>(tx, sql`select count(*)::int as n from pg_namespace where nspname = ${schema}`)
    if (!found?.n) await tx.execute(sql`create schema ${sql.identifier(schema)}`)
    await tx.execute(sql`create table if not exists ${table} (id serial primary key, hash text not null, created_at bigint)`)
    const [last] = await queryRows<{ created_at: string | number }>(tx,
      sql`select created_at from ${table} order by created_at desc limit 1`)
    const lastMillis = last ? Number(last.created_at) : -1
    let count = 0
    for (const migration of migrations) {
      if (migration.folderMillis <= lastMillis) continue
      for (const statement of migration.sql) {
        if (statement.trim() === '') continue
        await tx.execute(sql.raw(tolerateExistingSchema(statement)))
      }
      await tx.execute(sql`insert into ${table} (hash, created_at) values (${migration.hash}, ${migration.folderMillis})`)
      count++
    }
    return count
  })
  log.info({ schema, applied, total: migrations.length }, applied ? 'migrations applied' : 'migrations up to date')
  return { applied }
}

function tolerateExistingSchema (statement: string): string {
  return statement.replace(/^(\s*CREATE SCHEMA)(\s+"[^"]+"\s*;?\s*)$/i, '$1 IF NOT EXISTS$2')
}
