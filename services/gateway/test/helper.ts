import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import createClient, { type Client } from 'openapi-fetch'
import type { Test } from 'tap'
import { Agent, fetch } from 'undici'
import { createInProcessBus, type EventBus } from '@m365/bus'
import { createTestDatabase } from '@m365/db/testing'
import { startM365Simulator, type M365Simulator } from '@m365/m365-simulator'
import pino from 'pino'
import { DEFAULT_STARTUP_TIMEOUT_MS, loadConfig, loggerOptions } from '@m365/service-kit'
import gatewayApp, { ensureLocalSigningKey, GatewayConfig, mintToken, type LocalSigningKey, type MintOptions } from '../src/index.js'
import type { paths } from './generated/api.js'
import { serviceModule, type ServiceName } from './services.js'

export const ENCRYPTION_KEY = 'b2'.repeat(32)
/** Where browsers reach the gateway as far as tenant-auth knows (consent redirects); the tests follow them to the real gateway. */
export const PUBLIC_BASE_URL = 'https://portal.example.test'
export const CALLBACK_URL = `${PUBLIC_BASE_URL}/v1/connect/callback`
/** Nothing listens there: a service the stack does not run answers 503 through the gateway. */
const NOWHERE = 'http://127.0.0.1:9'

export type Api = Client<paths>

export interface Stack {
  url: string
  gateway: FastifyInstance
  key: LocalSigningKey
  bus: EventBus
  services: Partial<Record<ServiceName, string>>
  sim: M365Simulator | undefined
  msp: { clientId: string, clientSecret: string } | undefined
  token: (options: MintOptions) => Promise<string>
  /** The generated client, as MSP staff by default. */
  api: (token?: string) => Api
  mspToken: string
}

export interface StackOptions {
  services?: ServiceName[]
  /** the gateway's environment on top of the test defaults */
  env?: Record<string, string>
  /** the gateway's log lines (at debug level) */
  logs?: LogCapture
  /** false: tenant-auth runs without the MSP's Azure app (AZURE_CLIENT_ID/SECRET unset) */
  azureApp?: boolean
  /** a service's environment on top of the test defaults */
  serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>
}

/**
 * The real gateway over HTTP in front of the real services (their app plugins on 127.0.0.1 ports):
 * one fresh Postgres database, one in-process bus, the M365 simulator when tenant-auth or graph-sync run.
 * Everything is closed on teardown: gateway, services, bus, simulator, then the database is dropped.
 */
export async function startStack (t: Test, options: StackOptions = {}): Promise<Stack> {
  const closers: Array<() => Promise<unknown>> = []
  t.teardown(async () => { for (const close of closers.reverse()) await close() })

  const dropDatabase: Array<() => unknown> = []
  closers.push(async () => { for (const drop of dropDatabase) await drop() })
  const database = await createTestDatabase({ teardown: (fn) => dropDatabase.push(fn) })
  const dir = await mkdtemp(join(tmpdir(), 'gateway-test-'))
  closers.push(() => rm(dir, { recursive: true, force: true }))
  const bus = createInProcessBus()
  closers.push(() => bus.close())

  const wanted = options.services ?? []
  let sim: M365Simulator | undefined
  let msp: Stack['msp']
  if (wanted.includes('tenant-auth') || wanted.includes('graph-sync')) {
    sim = await startM365Simulator({ fixture: 'none' })
    closers.push(() => sim!.close())
    msp = { clientId: randomUUID(), clientSecret: `msp-secret-${randomUUID()}` }
    sim.admin.registerApp({ ...msp, displayName: 'MSP app', redirectUris: [CALLBACK_URL] })
  }

  const env: Record<ServiceName, Record<string, string>> = {
    report: { OUTBOX_POLL_MS: '50', VERSION_BUILD_POLL_MS: '50' },
    'tenant-auth': {
      ENCRYPTION_KEY,
      ...(sim && msp && {
        AUTHORITY_HOST: sim.url, GRAPH_BASE_URL: sim.url, GRAPH_CA_PEM: sim.caPem
      }),
      ...(msp && options.azureApp !== false && { AZURE_CLIENT_ID: msp.clientId, AZURE_CLIENT_SECRET: msp.clientSecret }),
      PUBLIC_BASE_URL,
      OUTBOX_POLL_MS: '50',
      CONSENT_RETRY_INITIAL_MS: '20',
      CONSENT_CONFIRM_TIMEOUT_MS: '10000'
    },
    'graph-sync': {
      ...(sim && { GRAPH_BASE_URL: sim.url, GRAPH_CA_PEM: sim.caPem }),
      SCHEDULER_ENABLED: 'false',
      GRAPH_RETRY_BASE_MS: '5',
      GRAPH_RETRY_MAX_DELAY_MS: '100',
      SYNC_RETRY_BASE_MS: '200'
    },
    'contacts-ingest': { ENCRYPTION_KEY, OUTBOX_POLL_MS: '50', DELIVERY_POLL_MS: '50', BACKFILL_POLL_MS: '50' }
  }

  const services: Stack['services'] = {}
  for (const name of wanted) {
    const { plugin, configSchema } = serviceModule(name)
    const config = loadConfig(configSchema, { DATABASE_URL: database.url, LOG_LEVEL: process.env.TEST_LOG ?? 'silent', ...env[name], ...options.serviceEnv?.[name] })
    const app = Fastify({ logger: process.env.TEST_LOG ? { level: process.env.TEST_LOG } : false, pluginTimeout: DEFAULT_STARTUP_TIMEOUT_MS })
    await app.register(fp(plugin as never), { config, bus } as never)
    closers.push(() => app.close())
    services[name] = await app.listen({ host: '127.0.0.1', port: 0 })
  }

  const keyFile = join(dir, 'jwt-key.json')
  const gatewayConfig = loadConfig(GatewayConfig, {
    REPORT_URL: services.report ?? NOWHERE,
    TENANT_AUTH_URL: services['tenant-auth'] ?? NOWHERE,
    GRAPH_SYNC_URL: services['graph-sync'] ?? NOWHERE,
    CONTACTS_INGEST_URL: services['contacts-ingest'] ?? NOWHERE,
    ...(services['contacts-ingest'] && { WEBHOOKS_UPSTREAM_URL: services['contacts-ingest'] }),
    JWT_LOCAL_KEY_FILE: keyFile,
    RATE_LIMIT_MAX: '100000',
    LOG_LEVEL: process.env.TEST_LOG ?? 'silent',
    ...options.env
  })
  const gateway = await startGateway(gatewayConfig, options.logs)
  closers.push(() => gateway.app.close())

  const key = await ensureLocalSigningKey(keyFile)
  const token = (mint: MintOptions) => mintToken(key, mint)
  const mspToken = await token({ role: 'msp', sub: 'msp-staff@example.test' })
  return {
    url: gateway.url,
    gateway: gateway.app,
    key,
    bus,
    services,
    sim,
    msp,
    token,
    mspToken,
    api: (bearer = mspToken) => apiClient(gateway.url, bearer)
  }
}

/** Every log line written to it, raw. */
export class LogCapture extends Writable {
  raw = ''
  override _write (chunk: Buffer, _encoding: string, callback: () => void): void {
    this.raw += chunk.toString()
    callback()
  }
}

export async function startGateway (config: GatewayConfig, logs?: LogCapture): Promise<{ app: FastifyInstance, url: string }> {
  const app = logs
    ? Fastify({ loggerInstance: pino(loggerOptions({ ...config, LOG_LEVEL: 'debug' }, 'gateway'), logs) as FastifyBaseLogger, pluginTimeout: DEFAULT_STARTUP_TIMEOUT_MS })
    : Fastify({ logger: process.env.TEST_LOG ? { level: process.env.TEST_LOG } : false, pluginTimeout: DEFAULT_STARTUP_TIMEOUT_MS })
  await app.register(fp(gatewayApp), { config })
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  return { app, url }
}

/** The client generated from the gateway's OpenAPI document (openapi-typescript + openapi-fetch). */
export function apiClient (baseUrl: string, bearer?: string): Api {
  return createClient<paths>({ baseUrl, ...(bearer && { headers: { authorization: `Bearer ${bearer}` } }) })
}

/** Polls until `condition` returns something truthy, with a deadline; never a fixed sleep. */
export async function waitFor<T> (condition: () => Promise<T | undefined | null | false> | T | undefined | null | false, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await condition()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

/** Unwraps an openapi-fetch result, failing with the problem when the call did not succeed. */
export function ok<T> (result: { data?: T, error?: unknown, response: Response }, what: string): T {
  if (result.data === undefined && result.response.status !== 204) {
    throw new Error(`${what}: ${result.response.status} ${JSON.stringify(result.error)}`)
  }
  return result.data as T
}

/**
 * The admin's browser: open the consent URL (the simulator stands in for signing in as the tenant's
 * admin), follow Microsoft's redirect to the callback, which is the gateway's public /v1/connect/callback.
 */
export async function consentThroughGateway (stack: Stack, consentUrl: string, tenantId: string, accept = 'application/json') {
  if (!stack.sim) throw new Error('the stack runs no simulator')
  const dispatcher = new Agent({ connect: { ca: stack.sim.caPem } })
  try {
    const url = new URL(consentUrl)
    url.searchParams.set('sim_tenant', tenantId)
    const res = await fetch(url, { dispatcher, redirect: 'manual' })
    await res.body?.cancel()
    const location = res.headers.get('location')
    if (res.status !== 302 || !location) throw new Error(`consent answered ${res.status}`)
    const redirect = new URL(location)
    if (`${redirect.origin}${redirect.pathname}` !== CALLBACK_URL) throw new Error(`redirected to ${redirect.origin}${redirect.pathname}`)
    return await fetch(`${stack.url}${redirect.pathname}${redirect.search}`, { headers: { accept } })
  } finally {
    await dispatcher.close()
  }
}
