import type { TObject } from '@sinclair/typebox'
import { createServiceDb, openDatabase } from '@m365/db'
import { loadConfigOrExit, type BaseConfig } from './config.js'

export interface RunMigrationsOptions {
  /** `report`: the first word of the line printed */
  service: string
  /** the service's config schema: the Job gets the service's environment (bad config: one line, exit 1) */
  configSchema: TObject
  /** the service's Postgres schema */
  dbSchema: string
  migrationsFolder: string
  env?: Record<string, string | undefined>
  /** where the line goes; default stdout */
  out?: { write (line: string): unknown }
}

/**
 * A service's migrate.ts (the Kubernetes migration Job) in one call: apply its pending migrations into its
 * schema, under the same advisory lock as a migration at start, print how many, close. Exit code 0 on success.
 */
export async function runMigrations (options: RunMigrationsOptions): Promise<void> {
  const config = loadConfigOrExit(options.configSchema, options.env) as BaseConfig
  const handle = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR })
  try {
    const { applied } = await createServiceDb(handle, { schema: options.dbSchema, migrationsFolder: options.migrationsFolder }).migrate()
    const out = options.out ?? process.stdout
    out.write(`${options.service}: ${applied} migration(s) applied\n`)
  } finally {
    await handle.close()
  }
}
