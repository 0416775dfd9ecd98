import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import postgres from 'postgres'
import type { Test } from 'tap'
import { deleteNatsNamespace } from '@m365/bus'
import { createTestDatabase, type TestDatabase } from '@m365/db/testing'
import { ensureLocalSigningKey, mintToken } from '@m365/gateway'
import { apiClient, type Api } from './api.js'
import { startBalancer } from './balancer.js'
import { freePorts } from './ports.js'
import { serviceSpec, type ServiceName } from './services.js'
import { registerMspApp, startSimulators, type MspApp, type Simulators } from './simulators.js'
import { Supervised } from './supervisor.js'
import { workDir } from './work-dir.js'

type Env = Record<string, string>

export interface StackOptions {
  /** names the work directory */
  name: string
  /** default the shared nats://127.0.0.1:4222 */
  natsUrl?: string
  /** a directory made by workDir already (e.g. holding a private NATS store); default a new one */
  dir?: string
  /** the Microsoft 365 simulator's fixture; default 'none' */
  fixture?: 'demo' | 'none'
  /** graph-sync processes sharing the work queue; default 1 */
  graphSyncReplicas?: number
  /** what admin consent grants the MSP app; default the simulator's full set */
  appPermissions?: string[]
  /** extra variables: for every service (`all`) or one */
  env?: Partial<Record<ServiceName | 'all', Env>>
}

export interface Stack {
  dir: string
  database: TestDatabase
  namespace: string
  natsUrl: string
  sims: Simulators
  app: MspApp
  tenantAuth: Supervised
  graphSync: Supervised[]
  contactsIngest: Supervised
  report: Supervised
  gateway: Supervised
  /** every service process, gateway last */
  processes: Supervised[]
  /** the public base URL (the gateway) */
  url: string
  /** contacts-ingest's own URL: the Ingress routes /webhooks straight to it */
  contactsIngestUrl: string
  /** the API as MSP staff */
  api: Api
  /** the API as a portal user of one client */
  clientApi (clientId: string): Promise<Api>
  /** the test's database, for checks the API cannot express (counts of stored rows) */
  sql: postgres.Sql
  /** waits until every service answers /readyz */
  allReady (timeoutMs?: number): Promise<void>
}

/** Variables that keep the services' loops quick in a test, where the defaults suit production. */
const QUICK: Partial<Record<ServiceName, Env>> = {
  'tenant-auth': { OUTBOX_POLL_MS: '100' },
  'graph-sync': { GRAPH_RETRY_BASE_MS: '200', GRAPH_RETRY_MAX_DELAY_MS: '2000', SYNC_RETRY_BASE_MS: '500' },
  'contacts-ingest': { DELIVERY_POLL_MS: '100', OUTBOX_POLL_MS: '100', BACKFILL_POLL_MS: '200', WEBHOOK_RATE_LIMIT_MAX: '1000000' },
  report: { OUTBOX_POLL_MS: '100', VERSION_BUILD_POLL_MS: '500' },
  gateway: { RATE_LIMIT_MAX: '1000000' }
}

/**
 * The distributed mode on this machine: each service its own OS process (as its container), one
 * fresh Postgres database (each service in its own schema), NATS JetStream under a random
 * namespace, the simulators in the test process, the gateway in front with a local signing key.
 * Teardown: print the tail of every log when the test failed, stop the processes (SIGTERM), close
 * the simulators, delete the namespace's streams, drop the database.
 */
export async function startStack (t: Test, options: StackOptions): Promise<Stack> {
  const database = await createTestDatabase(t)
  const namespace = `e2e_${randomBytes(5).toString('hex')}`
  const natsUrl = options.natsUrl ?? 'nats://127.0.0.1:4222'
  const dir = options.dir ?? await workDir(t, options.name)
  if (!options.natsUrl) t.teardown(() => deleteNatsNamespace({ url: natsUrl, namespace }).catch(() => {}))

  const sims = await startSimulators({ fixture: options.fixture ?? 'none' })
  t.teardown(() => sims.close())
  const sql = postgres(database.url, { max: 2, onnotice: () => {} })
  t.teardown(() => sql.end({ timeout: 5 }))

  const replicas = options.graphSyncReplicas ?? 1
  const [gatewayPort, tenantAuthPort, contactsPort, reportPort, ...syncPorts] = await freePorts(4 + replicas) as [number, number, number, number, ...number[]]
  const url = `http://127.0.0.1:${gatewayPort}`
  const local = (port: number) => `http://127.0.0.1:${port}`
  const app = registerMspApp(sims.m365, { redirectUri: `${url}/v1/connect/callback`, ...(options.appPermissions ? { permissions: options.appPermissions } : {}) })
  const keyFile = join(dir, 'jwt-key.json')
  const key = await ensureLocalSigningKey(keyFile)

  const common: Env = { DATABASE_URL: database.url, NATS_URL: natsUrl, BUS_NAMESPACE: namespace, LOG_LEVEL: 'info', CLOSE_GRACE_MS: '10000' }
  const graph: Env = { GRAPH_BASE_URL: sims.m365.url, GRAPH_CA_PEM: sims.m365.caPem }
  const envFor = (service: ServiceName, own: Env): Env => ({ ...common, ...QUICK[service], ...own, ...options.env?.all, ...options.env?.[service] })
  const spec = (service: ServiceName, port: number, own: Env, instance?: string) =>
    new Supervised(serviceSpec({ service, port, env: envFor(service, own), logDir: dir, ...(instance ? { instance } : {}) }))

  const tenantAuth = spec('tenant-auth', tenantAuthPort, {
    ...graph,
    AUTHORITY_HOST: sims.m365.url,
    AZURE_CLIENT_ID: app.clientId,
    AZURE_CLIENT_SECRET: app.clientSecret,
    PUBLIC_BASE_URL: url,
    ENCRYPTION_KEY: randomBytes(32).toString('hex')
  })
  const graphSync = syncPorts.map((port, i) => spec('graph-sync', port, graph, replicas > 1 ? `graph-sync-${i + 1}` : undefined))
  const contactsIngest = spec('contacts-ingest', contactsPort, {
    ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    CONNECTWISE_KEY_HOSTS: new URL(sims.psa.url).origin
  })
  const report = spec('report', reportPort, {})
  // the graph-sync Service: the gateway reaches whichever replica is up
  const graphSyncService = replicas > 1 ? await startBalancer(syncPorts) : { url: local(syncPorts[0]!), close: async () => {} }
  t.teardown(() => graphSyncService.close())
  const gateway = spec('gateway', gatewayPort, {
    TENANT_AUTH_URL: local(tenantAuthPort),
    GRAPH_SYNC_URL: graphSyncService.url,
    CONTACTS_INGEST_URL: local(contactsPort),
    REPORT_URL: local(reportPort),
    // docker compose's setup: the gateway also passes /webhooks through (the Ingress goes straight to contacts-ingest)
    WEBHOOKS_UPSTREAM_URL: local(contactsPort),
    JWT_LOCAL_KEY_FILE: keyFile
  })
  const dataServices = [tenantAuth, ...graphSync, contactsIngest, report]
  const processes = [...dataServices, gateway]

  // registered last, so it runs first: the logs are read while the processes still hold them
  t.teardown(async () => {
    try {
      if (!t.passing()) for (const p of processes) process.stderr.write(`\n# ----- ${p.name} (${p.spec.logFile}) -----\n${await p.tail(40)}\n`)
    } finally {
      await Promise.all(processes.map((p) => p.stop(10_000)))
    }
  })

  // all at once, as an orchestrator does: each data service migrates its own schema (advisory-locked),
  // the gateway needs nothing from them to start
  await Promise.all(processes.map((p) => p.startReady(120_000)))

  const api = apiClient(url, await mintToken(key, { role: 'msp', ttl: '2h' }))
  return {
    dir,
    database,
    namespace,
    natsUrl,
    sims,
    app,
    tenantAuth,
    graphSync,
    contactsIngest,
    report,
    gateway,
    processes,
    url,
    contactsIngestUrl: local(contactsPort),
    api,
    clientApi: async (clientId) => apiClient(url, await mintToken(key, { role: 'client', clientId, ttl: '2h' })),
    sql,
    allReady: async (timeoutMs = 60_000) => { await Promise.all(processes.map((p) => p.waitReady(timeoutMs))) }
  }
}
