// The Kubernetes migration Job: apply tenant-auth's migrations, then exit (0 on success).
import { createServiceDb, openDatabase } from '@m365/db'
import { loadConfigOrExit } from '@m365/service-kit'
import { migrationsFolder } from './app.js'
import { TenantAuthConfig } from './config.js'

const config = loadConfigOrExit(TenantAuthConfig)
const handle = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR })
try {
  const { applied } = await createServiceDb(handle, { schema: 'tenant_auth', migrationsFolder }).migrate()
  process.stdout.write(`tenant-auth: ${applied} migration(s) applied\n`)
} finally {
  await handle.close()
}
