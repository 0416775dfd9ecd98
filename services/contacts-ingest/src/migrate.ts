// The Kubernetes migration Job: apply contacts-ingest's migrations, then exit (0 on success).
import { runMigrations } from '@m365/service-kit'
import { migrationsFolder } from './app.js'

await runMigrations({ service: 'contacts-ingest', dbSchema: 'contacts_ingest', migrationsFolder })
