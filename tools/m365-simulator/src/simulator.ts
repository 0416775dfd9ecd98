import Fastify from 'fastify'
import { createAdmin, type SimulatorAdmin } from './admin.js'
import adminRoutes from './admin-routes.js'
import { loadServerTls } from './certs.js'
import graphRoutes from './graph/index.js'
import { createSigningKeys } from './identity/access-token.js'
import adminConsentRoutes from './identity/admin-consent.js'
import discoveryRoutes from './identity/discovery.js'
import tokenRoutes from './identity/token.js'
import { SimulatorState } from './state.js'

export interface M365SimulatorOptions {
  /** default 127.0.0.1 */
  host?: string
  /** default 0 = a free port */
  port?: number
  /** where the CA is cached; default <os tmpdir>/m365-simulator-certs */
  certDir?: string
  /** 'demo' (default) loads the demo app registration and tenants; 'none' starts empty */
  fixture?: 'demo' | 'none'
  /** added to every Graph response */
  latencyMs?: number
  /** Fastify request logging to stdout */
  log?: boolean
  /** access token lifetime, default 3599 s like Entra */
  tokenLifetimeSeconds?: number
}

export interface M365Simulator {
  /** https://127.0.0.1:<port> — authority host AND Graph base (/v1.0, /beta) */
  url: string
  /** the CA certificate clients must trust */
  caPem: string
  /** file path of caPem (for NODE_EXTRA_CA_CERTS) */
  caPath: string
  admin: SimulatorAdmin
  close (): Promise<void>
}

export async function startM365Simulator (options: M365SimulatorOptions = {}): Promise<M365Simulator> {
  const host = options.host ?? '127.0.0.1'
  const tls = await loadServerTls(options.certDir, host)
  const state = new SimulatorState(await createSigningKeys(), options.latencyMs ?? 0, options.tokenLifetimeSeconds ?? 3599)
  const admin = createAdmin(state, options.fixture ?? 'demo')

  const app = Fastify({
    https: { key: tls.key, cert: tls.cert },
    logger: options.log ? { level: 'info' } : false,
    // Graph ids and UPNs can be long; Graph's own limit on URLs is generous too
    routerOptions: { maxParamLength: 1000 },
    forceCloseConnections: true
  })
  await app.register(discoveryRoutes, { state })
  await app.register(tokenRoutes, { state })
  await app.register(adminConsentRoutes, { state })
  await app.register(graphRoutes, { state, beta: false, prefix: '/v1.0' })
  await app.register(graphRoutes, { state, beta: true, prefix: '/beta' })
  await app.register(adminRoutes, { admin, prefix: '/_admin' })
  await app.listen({ host, port: options.port ?? 0 })

  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : options.port
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host
  return {
    url: `https://${urlHost}:${port}`,
    caPem: tls.caPem,
    caPath: tls.caPath,
    admin,
    close: () => app.close()
  }
}
