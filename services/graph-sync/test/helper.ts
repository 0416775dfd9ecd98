import { randomUUID } from 'node:crypto'
import { ConfidentialClientApplication } from '@azure/msal-node'
import type { Writable } from 'node:stream'
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import pino from 'pino'
import fp from 'fastify-plugin'
import postgres from 'postgres'
import type { Test } from 'tap'
import { encodePrincipal, PRINCIPAL_HEADER } from '@m365/api'
import { createNatsBus, deleteNatsNamespace, type NatsBus } from '@m365/bus'
import {
  allEvents, createEvent, O365SkusReplaced, O365UsersRemoved, O365UsersUpserted, SyncCompleted, TenantConnected, TokenRequest, type EventContract, type EventOf, type O365User, type ReplyOf
} from '@m365/contracts'
import { createTestDatabase } from '@m365/db/testing'
import { createGraphTransport } from '@m365/graph'
import { DEMO_APP, startM365Simulator, type M365Simulator } from '@m365/m365-simulator'
import { loadConfig, loggerOptions } from '@m365/service-kit'
import graphSyncApp, { GraphSyncConfig, uuidFromName } from '../src/index.js'

export const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222'
const GRAPH_SCOPE = 'https://graph.microsoft.com/.default'

/** Polls until `condition` holds, or fails after the deadline (never a fixed sleep). */
export async function waitFor<T> (condition: () => T | undefined | false | null | Promise<T | undefined | false | null>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await condition()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

/** Every event of the recorded subjects, in arrival order, with what `annotate` saw on arrival. */
export class EventLog {
  readonly all: Array<{ event: EventOf<EventContract>, note: unknown }> = []

  of<C extends EventContract> (contract: C, syncId?: string): Array<EventOf<C>> {
    return this.all
      .filter(({ event }) => event.subject === contract.subject && (!syncId || (event.data as { syncId?: string }).syncId === syncId))
      .map(({ event }) => event as EventOf<C>)
  }

  notes<C extends EventContract> (contract: C, syncId: string): unknown[] {
    return this.all.filter(({ event }) => event.subject === contract.subject && (event.data as { syncId?: string }).syncId === syncId).map((e) => e.note)
  }

  /** A sync's events once all arrived: o365.sync.completed and as many batches as it announces. */
  async ofSync (syncId: string, timeoutMs?: number) {
    const completed = await this.waitFor(SyncCompleted, (e) => e.data.syncId === syncId, `sync ${syncId} completed`, timeoutMs)
    const { upserted, removed } = completed.data.batches
    await waitFor(() => this.of(O365UsersUpserted, syncId).length >= upserted && this.of(O365UsersRemoved, syncId).length >= removed &&
      this.of(O365SkusReplaced, syncId).length >= 1, `the batches of sync ${syncId}`, timeoutMs)
    return {
      completed,
      skus: this.of(O365SkusReplaced, syncId),
      upserted: this.of(O365UsersUpserted, syncId).sort((a, b) => a.data.batch - b.data.batch),
      removed: this.of(O365UsersRemoved, syncId).sort((a, b) => a.data.batch - b.data.batch)
    }
  }

  async waitFor<C extends EventContract> (contract: C, match: (event: EventOf<C>) => boolean, what: string, timeoutMs?: number): Promise<EventOf<C>> {
    return await waitFor(() => this.of(contract).find(match), what, timeoutMs)
  }
}

/**
 * Stands in for tenant-auth on the bus: tokens.get answered with a real msal-node
 * ConfidentialClientApplication per tenant against the simulator (the demo app's credentials).
 * Tenants in `refuse` get the error reply tenant-auth would send.
 */
export class TokenServer {
  readonly refuse = new Map<string, ReplyOf<typeof TokenRequest>>()
  requests = 0
  /** Tenants whose token was asked for with forceRefresh, in order. */
  readonly forced: string[] = []
  /** Every access token handed out, to check none reaches a log. */
  readonly issued: string[] = []
  readonly #apps = new Map<string, ConfidentialClientApplication>()
  readonly #transport

  constructor (private readonly sim: M365Simulator) {
    this.#transport = createGraphTransport({ extraCaPem: sim.caPem })
  }

  /** As tenant-auth answers: from msal's cache unless forceRefresh. */
  async reply (tenantId: string, forceRefresh = false): Promise<ReplyOf<typeof TokenRequest>> {
    this.requests++
    if (forceRefresh) this.forced.push(tenantId)
    const refused = this.refuse.get(tenantId)
    if (refused) return refused
    let app = this.#apps.get(tenantId)
    if (!app) {
      app = new ConfidentialClientApplication({
        auth: { clientId: DEMO_APP.clientId, clientSecret: DEMO_APP.clientSecret, authority: `${this.sim.url}/${tenantId}`, knownAuthorities: [new URL(this.sim.url).host] },
        system: { networkClient: this.#transport.msalNetworkClient }
      })
      this.#apps.set(tenantId, app)
    }
    try {
      const result = await app.acquireTokenByClientCredential({ scopes: [GRAPH_SCOPE], skipCache: forceRefresh })
      if (!result) return { ok: false, code: 'identity_unavailable', message: 'msal returned no token' }
      this.issued.push(result.accessToken)
      return { ok: true, accessToken: result.accessToken, expiresOn: (result.expiresOn ?? new Date(Date.now() + 3_600_000)).toISOString() }
    } catch (err) {
      return { ok: false, code: 'consent_revoked', message: (err as Error).message }
    }
  }

  async close (): Promise<void> { await this.#transport.close() }
}

export interface Harness {
  sim: M365Simulator
  databaseUrl: string
  namespace: string
  /** The test's own connection to the namespace: publishes tenant events, serves tokens, records events. */
  bus: NatsBus
  tokens: TokenServer
  events: EventLog
  sql: postgres.Sql
  env: (overrides?: Record<string, string>) => Record<string, string>
  /** The app on this harness; `logs` receives its JSON log lines (at LOG_LEVEL, default warn). */
  build: (overrides?: Record<string, string>, options?: { logs?: Writable }) => Promise<FastifyInstance>
  connect: (tenantId: string, clientId?: string) => Promise<{ clientId: string, syncId: string }>
}

const RECORDED = ['o365.sync.started', 'o365.sync.progress', 'o365.sync.completed', 'o365.sync.failed', 'o365.users.upserted', 'o365.users.removed', 'o365.skus.replaced']

/**
 * One simulator, one fresh database and one NATS namespace for a test file (or test), a token
 * server in tenant-auth's place, and a recorder of everything graph-sync publishes. `annotate` runs
 * as each event arrives (e.g. to look at the database at that moment).
 */
export async function setup (t: Test, options: { fixture?: 'demo' | 'none', annotate?: (event: EventOf<EventContract>, h: Harness) => Promise<unknown> } = {}): Promise<Harness> {
  const database = await createTestDatabase(t)
  const namespace = `gs_${randomUUID().slice(0, 8)}`
  t.teardown(() => deleteNatsNamespace({ url: NATS_URL, namespace }))
  const sim = await startM365Simulator({ fixture: options.fixture ?? 'demo' })
  t.teardown(() => sim.close())
  if (options.fixture === 'none') sim.admin.registerApp({ ...DEMO_APP })
  const sql = postgres(database.url, { max: 2, onnotice: () => {} })
  t.teardown(() => sql.end({ timeout: 5 }))
  const bus = await createNatsBus({ url: NATS_URL, namespace })
  t.teardown(() => bus.close())
  const tokens = new TokenServer(sim)
  t.teardown(() => tokens.close())
  const events = new EventLog()

  const env = (overrides: Record<string, string> = {}) => ({
    DATABASE_URL: database.url,
    NATS_URL,
    BUS_NAMESPACE: namespace,
    GRAPH_BASE_URL: sim.url,
    GRAPH_CA_PEM: sim.caPem,
    LOG_LEVEL: 'warn',
    SCHEDULER_ENABLED: 'false',
    GRAPH_RETRY_BASE_MS: '5',
    GRAPH_RETRY_MAX_DELAY_MS: '100',
    GRAPH_RETRY_MAX_ATTEMPTS: '10',
    SYNC_RETRY_BASE_MS: '200',
    SYNC_ACK_WAIT_MS: '5000',
    SYNC_LEASE_TTL_MS: '15000',
    SYNC_PROGRESS_EVERY_PAGES: '2',
    ...overrides
  })

  const harness: Harness = {
    sim,
    databaseUrl: database.url,
    namespace,
    bus,
    tokens,
    events,
    sql,
    env,
    async build (overrides = {}, options = {}) {
      const config = loadConfig(GraphSyncConfig, env(overrides))
      const app = options.logs
        ? Fastify({ loggerInstance: pino({ ...loggerOptions(config, 'graph-sync'), transport: undefined }, options.logs) as FastifyBaseLogger })
        : Fastify({ logger: process.env.TEST_LOG ? { level: process.env.TEST_LOG } : false })
      await app.register(fp(graphSyncApp), { config })
      await app.ready()
      t.teardown(() => app.close())
      return app
    },
    async connect (tenantId, clientId = randomUUID()) {
      const event = createEvent(TenantConnected, { clientId, tenantId, connectedAt: new Date().toISOString() })
      await bus.publish(TenantConnected, event)
      return { clientId, syncId: uuidFromName(`connected:${event.id}`) }
    }
  }

  await bus.serve(TokenRequest, async ({ tenantId, forceRefresh }) => await tokens.reply(tenantId, forceRefresh))
  for (const contract of allEvents.filter((c) => RECORDED.includes(c.subject))) {
    await bus.consume(contract, { durable: `test-${contract.subject.replaceAll('.', '-')}`, concurrency: 8 }, async (event) => {
      const note = options.annotate ? await options.annotate(event as EventOf<EventContract>, harness) : undefined
      events.all.push({ event: event as EventOf<EventContract>, note })
    })
  }
  return harness
}

/** Headers of an MSP staff request to graph-sync's API. */
export const MSP = { [PRINCIPAL_HEADER]: encodePrincipal({ role: 'msp', sub: 'tester' }) }

/** POST …/sync on an app of the harness: its syncId; throws unless 202. Without `mode`, the service chooses. */
export async function requestSync (app: FastifyInstance, clientId: string, tenantId: string, mode?: 'full' | 'delta'): Promise<string> {
  const res = await app.inject({
    method: 'POST', url: `/v1/clients/${clientId}/tenants/${tenantId}/sync`, headers: MSP, ...(mode && { payload: { mode } })
  })
  if (res.statusCode !== 202) throw new Error(`POST sync answered ${res.statusCode}: ${res.body}`)
  return res.json<{ syncId: string }>().syncId
}

/**
 * For apps syncing only tenants created with `reportThrottle: null`: the simulator does not hold
 * their registration report to Entra's 5 requests / 10 s, so the app need not pace it either.
 */
export const UNPACED_REPORT = { GRAPH_REPORT_REQUESTS_PER_10S: '1000' } as const

/** A tenant of the simulator consented for the demo app (the app tenant-auth would use). */
export function createTenant (sim: M365Simulator, input: Parameters<M365Simulator['admin']['createTenant']>[0]): string {
  const { tenantId } = sim.admin.createTenant({ tenantId: randomUUID(), consentedClientIds: [DEMO_APP.clientId], ...input })
  return tenantId
}

export interface SnapshotRow { kind: string, objectId: string, record: O365User }

/** The tenant's current snapshot as a reader sees it: the last committed sync, and the rows of tenants.snapshot_id. */
export async function currentSnapshot (sql: postgres.Sql, tenantId: string): Promise<{ syncId: string | null, rows: SnapshotRow[] }> {
  const [tenant] = await sql<Array<{ current_sync_id: string | null, snapshot_id: string | null }>>`
    select current_sync_id, snapshot_id from graph_sync.tenants where tenant_id = ${tenantId}`
  const syncId = tenant?.current_sync_id ?? null
  if (!syncId) return { syncId, rows: [] }
  const rows = await sql<Array<{ kind: string, object_id: string, record: SnapshotRow['record'] }>>`
    select o.kind, o.object_id, r.record from graph_sync.directory_objects o
    left join graph_sync.object_records r on r.sync_id = o.sync_id and r.object_id = o.object_id
    where o.sync_id = ${tenant?.snapshot_id ?? null} order by o.object_id`
  return { syncId, rows: rows.map((r) => ({ kind: r.kind, objectId: r.object_id, record: r.record })) }
}

/** The run's row once `done` says so. */
export async function waitForRun (sql: postgres.Sql, syncId: string, done: (run: Record<string, unknown>) => boolean = (r) => r.outcome !== null, timeoutMs = 90_000) {
  return await waitFor(async () => {
    // a worker in another process may not have created its tables yet
    const [run] = await sql<Array<Record<string, unknown>>>`select * from graph_sync.sync_runs where sync_id = ${syncId}`
      .catch((err: { code?: string }) => { if (err.code === '42P01') return []; throw err })
    return run && done(run) ? run : undefined
  }, `sync ${syncId}`, timeoutMs)
}
