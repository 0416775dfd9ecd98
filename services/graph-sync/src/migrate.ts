// The Kubernetes migration Job (and compose's migrate service): applies graph-sync's migrations and exits (0 on success).
import { runMigrations } from '@m365/service-kit'
import { migrationsFolder } from './app.js'
import { GraphSyncConfig } from './config.js'

await runMigrations({ service: 'graph-sync', configSchema: GraphSyncConfig, dbSchema: 'graph_sync', migrationsFolder })
