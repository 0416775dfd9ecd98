// The Kubernetes migration Job: apply contacts-ingest's migrations, then exit (0 on success).
import { createServiceDb, openDatabase } from '@m365/db'
import { loadConfigOrExit } from '@m365/service-kit'
import { migrationsFolder } from './app.js'
import { ContactsIngestConfig } from './config.js'

const config = loadConfigOrExit(ContactsIngestConfig)
const handle = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR })
try {
  const { applied } = await createServiceDb(handle, { schema: 'contacts_ingest', migrationsFolder }).migrate()
  process.stdout.write(`contacts-ingest: ${applied} migration(s) applied\n`)
} finally {
  await handle.close()
}
