import { join } from 'node:path'
import { sql } from 'drizzle-orm'
import { queryRows, type AnyDb } from '../src/index.js'

export const exampleMigrations = join(import.meta.dirname, 'fixtures/example/migrations')

export async function appliedHashes (db: AnyDb, schema = 'example'): Promise<string[]> {
  const rows = await queryRows<{ hash: string }>(db,
    sql`select hash from ${sql.identifier(schema)}.__drizzle_migrations order by created_at`)
  return rows.map((row) => row.hash)
}

export async function schemaExists (db: AnyDb, schema: string): Promise<boolean> {
  const rows = await queryRows(db, sql`select 1 from pg_namespace where nspname = ${schema}`)
  return rows.length === 1
}
