import { runService } from '@m365/service-kit'
import gatewayApp from './app.js'
import { GatewayConfig, trustProxy } from './config.js'

await runService(gatewayApp, { configSchema: GatewayConfig, name: 'gateway', fastify: (config) => ({ trustProxy: trustProxy(config) }) })
