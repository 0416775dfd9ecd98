import { Type } from '@sinclair/typebox'
import { createServiceDb, openDatabase } from '@m365/db'
import { loadConfigOrExit, PostgresUrl } from './config.js'

export interface RunMigrationsOptions {
  /** `report`: the first word of the line printed */
  service: string
  /** the service's Postgres schema */
  dbSchema: string
  migrationsFolder: string
  env?: Record<string, string | undefined>
  /** where the line goes; default stdout */
  out?: { write (line: string): unknown }
}

/** All a migration reads. Required here: without it a service runs on PGlite, but the Job would migrate nothing real. */
const MigrateConfig = Type.Object({
  DATABASE_URL: PostgresUrl
})

/**
 * A service's migrate.ts (the Kubernetes migration Job) in one call: apply its pending migrations into its
 * schema, under the same advisory lock as a migration at start, print how many, close. Exit code 0 on success;
 * bad config or a failed migration: one line on stderr, exit code 1.
 */
export async function runMigrations (options: RunMigrationsOptions): Promise<void> {
  const config = loadConfigOrExit(MigrateConfig, options.env)
  try {
    const handle = await openDatabase({ url: config.DATABASE_URL })
    try {
      const { applied } = await createServiceDb(handle, { schema: options.dbSchema, migrationsFolder: options.migrationsFolder }).migrate()
      const out = options.out ?? process.stdout
      out.write(`${options.service}: ${applied} migration(s) applied\n`)
    } finally {
      await handle.close()
    }
  } catch (err) {
    const { message, code } = err as { message?: string, code?: string }
    process.stderr.write(`${options.service}: cannot migrate: ${message || code || String(err)}\n`)
    process.exit(1)
  }
}
