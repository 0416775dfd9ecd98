import { runService } from '@m365/service-kit'
import tenantAuthApp from './app.js'
import { TenantAuthConfig } from './config.js'

await runService(tenantAuthApp, { configSchema: TenantAuthConfig, name: 'tenant-auth', needs: ['DATABASE_URL', 'NATS_URL'] })
