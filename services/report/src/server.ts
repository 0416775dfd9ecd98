import { runService } from '@m365/service-kit'
import reportApp from './app.js'
import { ReportConfig } from './config.js'

await runService(reportApp, { configSchema: ReportConfig, name: 'report', needs: ['DATABASE_URL', 'NATS_URL'] })
