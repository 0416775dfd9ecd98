// The Kubernetes migration Job (and compose's migrate service): applies graph-sync's migrations and exits (0 on success).
import { runMigrations } from '@m365/service-kit'
import { migrationsFolder } from './app.js'

await runMigrations({ service: 'graph-sync', dbSchema: 'graph_sync', migrationsFolder })
