import { runService } from '@m365/service-kit'
import graphSyncApp from './app.js'
import { GraphSyncConfig } from './config.js'

await runService(graphSyncApp, { configSchema: GraphSyncConfig, name: 'graph-sync', needs: ['DATABASE_URL', 'NATS_URL'] })
