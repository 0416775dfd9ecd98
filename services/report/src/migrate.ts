// The Kubernetes migration Job: applies report's migrations and exits (0 on success).
import { createServiceDb, openDatabase } from '@m365/db'
import { loadConfigOrExit } from '@m365/service-kit'
import { migrationsFolder } from './app.js'
import { ReportConfig } from './config.js'

const config = loadConfigOrExit(ReportConfig)
const handle = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR })
try {
  const result = await createServiceDb(handle, { schema: 'report', migrationsFolder }).migrate()
  process.stdout.write(`report: ${result.applied} migration(s) applied\n`)
} finally {
  await handle.close()
}
