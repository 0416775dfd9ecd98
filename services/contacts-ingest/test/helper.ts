import { randomUUID } from 'node:crypto'
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import pino from 'pino'
import type { Test } from 'tap'
import type { Dispatcher } from 'undici'
import { encodePrincipal, PRINCIPAL_HEADER, type Principal, type PsaConnection, type PsaConnectionCreate } from '@m365/api'
import type { EventBus } from '@m365/bus'
import { ContactsDeleted, ContactsUpserted, type EventOf } from '@m365/contracts'
import { queryRows } from '@m365/db'
import { createTestDatabase } from '@m365/db/testing'
import { startPsaSimulator, type PsaSimulator, type PsaSimulatorOptions } from '@m365/psa-simulator'
import { loadConfig, loggerOptions } from '@m365/service-kit'
import { LogCapture, testInProcessBus, testNamespace, testNatsBus, testNatsUrl } from '@m365/service-kit/testing'
import { sql } from 'drizzle-orm'
import contactsIngestApp, { ContactsIngestConfig } from '../src/index.js'

export { LogCapture, testInProcessBus as inProcessBus, waitFor } from '@m365/service-kit/testing'

export const NATS_URL = testNatsUrl()
export const ENCRYPTION_KEY = 'c3'.repeat(32)

export interface BuildOptions {
  env?: Record<string, string>
  /** 'nats' (default): a real NATS bus on a fresh namespace; 'in-process'; or a bus to share */
  bus?: 'nats' | 'in-process' | EventBus
  databaseUrl?: string
  connectWiseKeyDispatcher?: Dispatcher
}

export interface Harness {
  app: FastifyInstance
  bus: EventBus
  logs: LogCapture
  databaseUrl: string
  events: EventRecorder
  /** raw SQL on the service's database */
  query: <T = Record<string, unknown>>(text: ReturnType<typeof sql>) => Promise<T[]>
}

/** Fast loops for tests: the workers poll every few milliseconds and retry quickly. */
export const testEnv = (databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> => ({
  DATABASE_URL: databaseUrl,
  ENCRYPTION_KEY,
  LOG_LEVEL: 'debug',
  DELIVERY_POLL_MS: '50',
  DELIVERY_RETRY_BASE_MS: '100',
  DELIVERY_RETRY_MAX_MS: '1000',
  OUTBOX_POLL_MS: '50',
  BACKFILL_POLL_MS: '50',
  PSA_HTTP_RETRY_BASE_MS: '10',
  PSA_HTTP_ATTEMPTS: '2',
  ...extra
})

export async function build (t: Test, options: BuildOptions = {}): Promise<Harness> {
  const databaseUrl = options.databaseUrl ?? (await createTestDatabase(t)).url
  const bus = options.bus === undefined || options.bus === 'nats'
    ? await natsBus(t)
    : options.bus === 'in-process' ? testInProcessBus(t) : options.bus
  const config = loadConfig(ContactsIngestConfig, testEnv(databaseUrl, options.env))
  const logs = new LogCapture()
  const app = Fastify({ loggerInstance: pino(loggerOptions(config, 'contacts-ingest'), logs) as FastifyBaseLogger, pluginTimeout: config.STARTUP_TIMEOUT_MS })
  await app.register(fp(contactsIngestApp), {
    config, bus, ...(options.connectWiseKeyDispatcher ? { connectWiseKeyDispatcher: options.connectWiseKeyDispatcher } : {})
  })
  await app.ready()
  t.teardown(() => app.close())
  const events = await recordEvents(t, bus)
  return { app, bus, logs, databaseUrl, events, query: async (q) => await queryRows(app.db, q) }
}

export async function natsBus (t: Test, namespace = testNamespace('ci')): Promise<EventBus> {
  return await testNatsBus(t, namespace)
}

export interface EventRecorder {
  upserted: Array<EventOf<typeof ContactsUpserted>>
  deleted: Array<EventOf<typeof ContactsDeleted>>
}

/** What contacts-ingest published, as a downstream consumer sees it. */
export async function recordEvents (t: Test, bus: EventBus): Promise<EventRecorder> {
  const events: EventRecorder = { upserted: [], deleted: [] }
  const durable = `test-${randomUUID().slice(0, 8)}`
  const up = await bus.consume(ContactsUpserted, { durable: `${durable}-upserted` }, async (event) => { events.upserted.push(event) })
  const del = await bus.consume(ContactsDeleted, { durable: `${durable}-deleted` }, async (event) => { events.deleted.push(event) })
  t.teardown(async () => {
    await up.close()
    await del.close()
  })
  return events
}

export const asMsp: Principal = { role: 'msp', sub: 'alice@msp.example' }
export const asClient = (clientId: string): Principal => ({ role: 'client', sub: 'bob@client.example', clientId })
export const headersFor = (principal: Principal = asMsp) => ({ [PRINCIPAL_HEADER]: encodePrincipal(principal) })

export async function startSimulator (t: Test, options: PsaSimulatorOptions = {}): Promise<PsaSimulator> {
  const sim = await startPsaSimulator(options)
  t.teardown(() => sim.close())
  return sim
}

/** A connection body for the simulator's API of `psa`, with its credentials. */
export function simulatorConnection (sim: PsaSimulator, psa: 'connectwise' | 'autotask' | 'halopsa', extra: Partial<PsaConnectionCreate> = {}): PsaConnectionCreate {
  const { baseUrl, ...credentials } = sim.clientOptions[psa] as unknown as { baseUrl: string } & Record<string, string>
  return { psa, name: `${psa} test`, baseUrl, credentials, ...extra }
}

export async function createConnection (app: FastifyInstance, body: PsaConnectionCreate): Promise<PsaConnection> {
  const res = await app.inject({ method: 'POST', url: '/v1/psa-connections', headers: headersFor(), payload: body })
  if (res.statusCode !== 201) throw new Error(`create connection answered ${res.statusCode}: ${res.body}`)
  return res.json()
}

export async function putMapping (app: FastifyInstance, connectionId: string, companies: Array<{ companyExternalId: string, clientId: string }>) {
  const res = await app.inject({ method: 'PUT', url: `/v1/psa-connections/${connectionId}/companies`, headers: headersFor(), payload: { companies } })
  if (res.statusCode !== 200) throw new Error(`put mapping answered ${res.statusCode}: ${res.body}`)
  return res.json() as { companies: unknown[], republished: number }
}

/** Row counts of every table that a rejected request must not touch. */
export async function rowCounts (h: Pick<Harness, 'query'>): Promise<Record<string, number>> {
  const [row] = await h.query<Record<string, number>>(sql`select
    (select count(*)::int from contacts_ingest.webhook_deliveries) as deliveries,
    (select count(*)::int from contacts_ingest.contacts) as contacts,
    (select count(*)::int from contacts_ingest.outbox) as outbox,
    (select count(*)::int from contacts_ingest.psa_connections) as connections,
    (select count(*)::int from contacts_ingest.company_mappings) as mappings,
    (select count(*)::int from contacts_ingest.backfill_runs) as backfills`)
  return row ?? {}
}

export async function pendingDeliveries (h: Pick<Harness, 'query'>): Promise<number> {
  const [row] = await h.query<{ n: number }>(sql`select count(*)::int as n from contacts_ingest.webhook_deliveries where status = 'pending'`)
  return row?.n ?? 0
}

export interface StoredContact {
  external_id: string
  first_name: string | null
  last_name: string | null
  emails: Array<{ address: string, primary: boolean }>
  deleted: boolean
  revision: number
  client_id: string | null
  company_external_id: string | null
  title: string | null
  active: boolean | null
}

export async function storedContacts (h: Pick<Harness, 'query'>, connectionId: string): Promise<Map<string, StoredContact>> {
  const rows = await h.query<StoredContact>(sql`select * from contacts_ingest.contacts where connection_id = ${connectionId} order by external_id`)
  return new Map(rows.map((r) => [r.external_id, r]))
}
