// The Kubernetes migration Job: apply tenant-auth's migrations, then exit (0 on success).
import { runMigrations } from '@m365/service-kit'
import { migrationsFolder } from './app.js'

await runMigrations({ service: 'tenant-auth', dbSchema: 'tenant_auth', migrationsFolder })
