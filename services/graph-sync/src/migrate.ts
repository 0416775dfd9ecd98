// Applies graph-sync's migrations and exits (the Kubernetes migration Job, compose's migrate service).
import { Type } from '@sinclair/typebox'
import { createServiceDb, openDatabase } from '@m365/db'
import { loadConfigOrExit } from '@m365/service-kit'
import { migrationsFolder } from './app.js'
import { tables } from './db/schema.js'

const config = loadConfigOrExit(Type.Object({
  DATABASE_URL: Type.String({ pattern: '^postgres(ql)?://', errorMessage: 'must be a postgres:// URL' })
}))

try {
  const handle = await openDatabase({ url: config.DATABASE_URL })
  try {
    const { applied } = await createServiceDb(handle, { schema: 'graph_sync', migrationsFolder, tables }).migrate()
    process.stdout.write(`graph-sync: ${applied} migration(s) applied\n`)
  } finally {
    await handle.close()
  }
} catch (err) {
  process.stderr.write(`graph-sync: migration failed: ${(err as Error).message}\n`)
  process.exit(1)
}
