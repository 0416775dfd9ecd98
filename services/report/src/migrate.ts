// The Kubernetes migration Job: applies report's migrations and exits (0 on success).
import { runMigrations } from '@m365/service-kit'
import { migrationsFolder } from './app.js'

await runMigrations({ service: 'report', dbSchema: 'report', migrationsFolder })
