import { join, relative } from 'node:path'
import type { Config } from 'drizzle-kit'

export interface ServiceDrizzleConfigOptions {
  /** The service's Postgres schema; only its tables are diffed (schemaFilter). */
  schema: string
  /** The service folder (`import.meta.dirname` in its drizzle.config.ts); paths below are relative to it. */
  root: string
  /** default `src/db/schema.ts` */
  schemaFile?: string
  /** default `src/db/migrations` */
  out?: string
}

/**
 * drizzle-kit config for one service: `drizzle-kit generate --config services/<name>/drizzle.config.ts`
 * writes SQL for the tables of `schema` only, into the service's own migrations folder; `migrate()`
 * of @m365/db applies them at start, recording them in `<schema>.__drizzle_migrations`.
 * Generating needs no database; `dbCredentials` (DATABASE_URL) only serves check/studio.
 * @see https://orm.drizzle.team/docs/drizzle-config-file
 */
export function defineServiceDrizzleConfig (options: ServiceDrizzleConfigOptions): Config {
  const { schema, root, schemaFile = 'src/db/schema.ts', out = 'src/db/migrations' } = options
  return {
    dialect: 'postgresql',
    // drizzle-kit takes paths relative to the working directory (an absolute `out` breaks its snapshots)
    schema: relative(process.cwd(), join(root, schemaFile)) || '.',
    out: relative(process.cwd(), join(root, out)) || '.',
    schemaFilter: [schema],
    migrations: { schema, table: '__drizzle_migrations' },
    dbCredentials: { url: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
    strict: true
  }
}
