import { randomUUID } from 'node:crypto'
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type LightMyRequestResponse } from 'fastify'
import fp from 'fastify-plugin'
import pino from 'pino'
import type { Test } from 'tap'
import { fetch } from 'undici'
import { encodePrincipal, PRINCIPAL_HEADER, type Principal } from '@m365/api'
import type { EventBus } from '@m365/bus'
import { TenantConnected, TenantConsentRevoked, TenantDisconnected, type EventContract, type EventOf } from '@m365/contracts'
import { createTestDatabase } from '@m365/db/testing'
import { createTrustingDispatcher, startM365Simulator, type M365Simulator, type M365SimulatorOptions } from '@m365/m365-simulator'
import { loadConfig, loggerOptions } from '@m365/service-kit'
import { LogCapture, testNamespace, testNatsBus, testNatsUrl } from '@m365/service-kit/testing'
import tenantAuthApp, { TenantAuthConfig } from '../src/index.js'
import { handleClientCreated } from '../src/consumers/client-created.js'

export { LogCapture, testInProcessBus as inProcessBus, waitFor } from '@m365/service-kit/testing'

export const NATS_URL = testNatsUrl()
export const ENCRYPTION_KEY = 'a1'.repeat(32)
export const PUBLIC_BASE_URL = 'https://portal.example.test'
export const CALLBACK_URL = `${PUBLIC_BASE_URL}/v1/connect/callback`

/** The MSP's multi-tenant app as the simulator knows it. */
export interface MspApp { clientId: string, clientSecret: string }

export interface Simulator { sim: M365Simulator, msp: MspApp, fetchSim: (url: string) => Promise<{ status: number, location: string | null }> }

/** The identity platform + Graph over HTTPS, with the MSP app registered (exact redirect URI). */
export async function startSimulator (t: Test, options: M365SimulatorOptions = {}): Promise<Simulator> {
  const sim = await startM365Simulator({ fixture: 'none', ...options })
  const dispatcher = createTrustingDispatcher(sim.caPem)
  t.teardown(async () => {
    await sim.close()
    await dispatcher.close()
  })
  const msp = { clientId: randomUUID(), clientSecret: `msp-secret-${randomUUID()}` }
  sim.admin.registerApp({ ...msp, displayName: 'MSP app', redirectUris: [CALLBACK_URL] })
  const fetchSim = async (url: string) => {
    const res = await fetch(url, { dispatcher, redirect: 'manual' })
    await res.body?.cancel()
    return { status: res.status, location: res.headers.get('location') }
  }
  return { sim, msp, fetchSim }
}

export interface BuildOptions {
  env?: Record<string, string>
  /** Share a database with another instance (default: a fresh one). */
  databaseUrl?: string
  /** 'nats' (default): a real NATS bus on a fresh namespace; or an injected bus. */
  bus?: 'nats' | EventBus
}

export interface Harness {
  app: FastifyInstance
  bus: EventBus
  logs: LogCapture
  databaseUrl: string
  events: EventRecorder
}

/** tenant-auth on Postgres, a bus, and the simulator as AUTHORITY_HOST and GRAPH_BASE_URL (its CA trusted in-process). */
export async function build (t: Test, simulator: Simulator, options: BuildOptions = {}): Promise<Harness> {
  const databaseUrl = options.databaseUrl ?? (await createTestDatabase(t)).url
  const bus = options.bus === undefined || options.bus === 'nats' ? await testNatsBus(t, testNamespace('ta')) : options.bus
  const config = loadConfig(TenantAuthConfig, {
    DATABASE_URL: databaseUrl,
    ENCRYPTION_KEY,
    AUTHORITY_HOST: simulator.sim.url,
    GRAPH_BASE_URL: simulator.sim.url,
    GRAPH_CA_PEM: simulator.sim.caPem,
    AZURE_CLIENT_ID: simulator.msp.clientId,
    AZURE_CLIENT_SECRET: simulator.msp.clientSecret,
    PUBLIC_BASE_URL,
    LOG_LEVEL: 'trace',
    OUTBOX_POLL_MS: '50',
    CONSENT_RETRY_INITIAL_MS: '20',
    CONSENT_CONFIRM_TIMEOUT_MS: '10000',
    ...options.env
  })
  const logs = new LogCapture()
  const app = Fastify({ loggerInstance: pino(loggerOptions(config, 'tenant-auth'), logs) as FastifyBaseLogger, pluginTimeout: config.STARTUP_TIMEOUT_MS })
  await app.register(fp(tenantAuthApp), { config, bus })
  await app.ready()
  t.teardown(() => app.close())
  const events = await recordEvents(t, bus)
  return { app, bus, logs, databaseUrl, events }
}

export interface EventRecorder {
  connected: Array<EventOf<typeof TenantConnected>>
  disconnected: Array<EventOf<typeof TenantDisconnected>>
  revoked: Array<EventOf<typeof TenantConsentRevoked>>
}

/** What tenant-auth published, as a downstream consumer sees it. */
async function recordEvents (t: Test, bus: EventBus): Promise<EventRecorder> {
  const events: EventRecorder = { connected: [], disconnected: [], revoked: [] }
  const durable = `test-${randomUUID().slice(0, 8)}`
  const subscribe = async <C extends EventContract>(contract: C, into: Array<EventOf<C>>) => {
    const sub = await bus.consume(contract, { durable: `${durable}-${contract.subject.replace(/\./g, '-')}` }, async (event) => { into.push(event) })
    t.teardown(() => sub.close())
  }
  await subscribe(TenantConnected, events.connected)
  await subscribe(TenantDisconnected, events.disconnected)
  await subscribe(TenantConsentRevoked, events.revoked)
  return events
}

export const asMsp: Principal = { role: 'msp', sub: 'alice@msp.example' }
export const asClient = (clientId: string): Principal => ({ role: 'client', sub: 'bob@client.example', clientId })
export const headersFor = (principal: Principal) => ({ [PRINCIPAL_HEADER]: encodePrincipal(principal) })

/** A client as report announces it (through the consumer's handler: the table is the same). */
export async function seedClient (app: FastifyInstance, clientId = randomUUID()): Promise<string> {
  await handleClientCreated(app.db, {
    id: randomUUID(),
    subject: 'client.created',
    version: 1,
    occurredAt: new Date().toISOString(),
    data: { clientId, name: `Client ${clientId.slice(0, 4)}`, createdAt: new Date().toISOString() }
  })
  return clientId
}

export function startConnect (app: FastifyInstance, clientId: string, body: Record<string, unknown> = {}, principal: Principal = asMsp) {
  return app.inject({ method: 'POST', url: `/v1/clients/${clientId}/tenants/connect`, headers: headersFor(principal), payload: body })
}

/** The admin's browser: the consent URL with the simulator's stand-in for signing in, then Microsoft's redirect. */
export async function consent (simulator: Simulator, consentUrl: string, tenantId: string, decision: 'approve' | 'deny' | 'cancel' = 'approve'): Promise<string> {
  const url = new URL(consentUrl)
  url.searchParams.set('sim_tenant', tenantId)
  url.searchParams.set('sim_decision', decision)
  const res = await simulator.fetchSim(url.toString())
  if (res.status !== 302 || !res.location) throw new Error(`consent answered ${res.status}`)
  return res.location
}

/** Follows a redirect to our callback (the gateway forwards the path unchanged). */
export function callback (app: FastifyInstance, redirect: string, accept = 'application/json'): Promise<LightMyRequestResponse> {
  const url = new URL(redirect)
  if (`${url.origin}${url.pathname}` !== CALLBACK_URL) throw new Error(`redirect to ${url.origin}${url.pathname}, not our callback`)
  return app.inject({ method: 'GET', url: `${url.pathname}${url.search}`, headers: { accept } })
}

/** start → consent → callback, as an MSP user and a tenant admin would. */
export async function connectTenant (h: Harness, simulator: Simulator, clientId: string, tenantId: string) {
  const started = await startConnect(h.app, clientId)
  if (started.statusCode !== 201) throw new Error(`connect answered ${started.statusCode}: ${started.body}`)
  return await callback(h.app, await consent(simulator, started.json().consentUrl, tenantId))
}
