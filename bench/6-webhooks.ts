import { randomUUID } from 'node:crypto'
import { request } from 'undici'
import {
  autotaskSignatureHeader, buildAutotaskWebhook, buildConnectWiseWebhook, connectWiseSignatureHeader, startPsaSimulator, type PsaSimulator
} from '@m365/psa-simulator'
import type { Benchmark, BenchContext } from './lib/context.js'
import { startBareServer, startService } from './lib/launcher.js'
import { load, type LoadRequest, type LoadResult } from './lib/load.js'
import { atLeast, measure, type Measure } from './lib/ratios.js'
import { MSP_HEADERS } from './lib/report-data.js'
import { fmt } from './lib/tenants.js'
import { formatMs, timed, waitFor } from './lib/timing.js'

const BENCH = '6. webhooks'
const AUTOTASK_SECRET = 'bench-autotask-secret-0123456789'

/**
 * Signed Autotask and ConnectWise contact webhooks, every one unique (its own sequence number or
 * message id, so none is a duplicate), against contacts-ingest in its own process: the 202s per
 * second, each one persisted before it was sent (checked afterwards: every 202 is a stored delivery).
 * The delivery worker processes what arrives meanwhile, as in production. Floor: a bare Fastify
 * route verifying the same HMAC over the raw body and doing nothing else; beside it, the same route
 * storing each body in Postgres before its 202, to show what durability alone costs. Each load starts once the
 * worker has processed every stored delivery, so neither the floor nor the next target shares the
 * machine with the backlog of the one before (which would slow the floor and flatter the ratio).
 */
async function run (ctx: BenchContext): Promise<Measure[]> {
  const { env, sizes, log } = ctx
  const psa = await startPsaSimulator()
  const service = await startService('contacts-ingest', {
    ...env.serviceEnv,
    WEBHOOK_RATE_LIMIT_MAX: '1000000000', // the per-connection limit (3000/min) would turn the load into 429s
    CONNECTWISE_KEY_HOSTS: new URL(psa.url).origin
  }, { label: 'contacts-ingest-6', cpuProf: env.cpuProf })
  const bareEnv = { BARE_MODE: 'webhooks', BARE_AUTOTASK_SECRET: AUTOTASK_SECRET, BARE_CONNECTWISE_KEY: psa.admin.signingKey() }
  const bare = await startBareServer('bare-6', bareEnv)
  const bareDurable = await startBareServer('bare-6-durable', { ...bareEnv, DATABASE_URL: env.databaseUrl })
  try {
    const { companies: [company] } = psa.admin.generate({ seed: 6, companies: 1, contacts: 1000 })
    const contacts = psa.admin.listContacts()
    const clientId = randomUUID()
    const connect = async (kind: 'autotask' | 'connectwise') => {
      const { baseUrl, ...credentials } = psa.clientOptions[kind] as unknown as { baseUrl: string } & Record<string, string>
      const conn = await api<{ id: string }>(service.url, 'POST', '/v1/psa-connections', {
        psa: kind, name: `bench ${kind}`, baseUrl, credentials, ...(kind === 'autotask' ? { webhookSecret: AUTOTASK_SECRET } : {})
      })
      await api(service.url, 'PUT', `/v1/psa-connections/${conn.id}/companies`, { companies: [{ companyExternalId: String(company!.id), clientId }] })
      return conn.id
    }
    const autotask = await connect('autotask')
    const connectwise = await connect('connectwise')

    // unique deliveries made as autocannon sends them: the body with a fresh sequence number / message id, then signed
    let n = 0
    const guid = randomUUID()
    const autotaskBodies = contacts.map((c) => JSON.stringify(buildAutotaskWebhook(c, { action: 'Update', guid, sequenceNumber: 0 })).split('"SequenceNumber":0'))
    const connectWiseBodies = contacts.map((c) => JSON.stringify(buildConnectWiseWebhook(c, { action: 'updated', keyUrl: psa.keyUrl(), messageId: 'MSGID' })).split('MSGID'))
    const signingKey = psa.admin.signingKey()
    const autotaskRequest = (id: string): LoadRequest => ({
      method: 'POST',
      path: `/webhooks/autotask/${id}`,
      setupRequest: (req) => {
        const seq = ++n
        const [head, tail] = autotaskBodies[seq % autotaskBodies.length]!
        const body = Buffer.from(`${head}"SequenceNumber":${seq}${tail}`)
        return { ...req, body, headers: { 'content-type': 'application/json', 'x-hook-signature': autotaskSignatureHeader(body, AUTOTASK_SECRET) } }
      }
    })
    const connectWiseRequest = (id: string): LoadRequest => ({
      method: 'POST',
      path: `/webhooks/connectwise/${id}`,
      setupRequest: (req) => {
        const seq = ++n
        const [head, tail] = connectWiseBodies[seq % connectWiseBodies.length]!
        const body = Buffer.from(`${head}${guid}-${seq}${tail}`)
        return { ...req, body, headers: { 'content-type': 'application/json', 'x-content-signature': connectWiseSignatureHeader(body, signingKey) } }
      }
    })

    const opts = { connections: sizes.webhookConnections, durationS: sizes.webhookDurationS }
    const measures: Measure[] = []
    for (const [kind, id, make] of [['Autotask', autotask, autotaskRequest], ['ConnectWise', connectwise, connectWiseRequest]] as const) {
      await drained(env)
      const before = await stored(env, id)
      const ours = await load(service.url, { ...opts, requests: [make(id)] })
      const persisted = await stored(env, id) - before
      const catchUpMs = await drained(env)
      const floor = await load(bare.url, { ...opts, requests: [make('bare')] })
      const durableFloor = await load(bareDurable.url, { ...opts, requests: [make('bare')] })
      log(`${BENCH}: ${kind}: contacts-ingest ${describe(ours)} (${fmt(persisted)} stored, all processed ${formatMs(catchUpMs)} after the load); bare ${describe(floor)}; bare storing the body ${describe(durableFloor)}`)
      if (persisted < ours.ok) throw new Error(`${kind}: ${ours.ok} deliveries answered 2xx but only ${persisted} were stored`)
      if (ours.failed > 0) throw new Error(`${kind}: ${ours.failed} deliveries were not accepted (${JSON.stringify(ours.statuses)})`)
      measures.push(measure({
        bench: BENCH,
        name: `${kind} deliveries accepted durably`,
        value: ours.okPerSecond,
        unit: 'deliveries/s',
        floor: { name: 'bare HMAC route', value: floor.okPerSecond },
        target: atLeast(0.4),
        note: `${sizes.webhookConnections} connections, p99 ${ours.p99} ms (bare ${floor.p99} ms); the worker had processed them all ${formatMs(catchUpMs)} after the load`
      }), measure({
        bench: BENCH,
        name: `${kind} deliveries accepted durably, against a bare route that also stores each body before its 202 (group commit)`,
        value: ours.okPerSecond,
        unit: 'deliveries/s',
        floor: { name: 'bare HMAC route + INSERT', value: durableFloor.okPerSecond },
        note: `durability alone: ${(durableFloor.okPerSecond / floor.okPerSecond).toFixed(2)}× the bare route, its p99 ${durableFloor.p99} ms`
      }))
    }
    return measures
  } finally {
    await bare.stop()
    await bareDurable.stop()
    await service.stop()
    await closePsa(psa)
  }
}

async function stored (ctx: BenchContext['env'], connectionId: string): Promise<number> {
  const [row] = await ctx.sql<Array<{ n: number }>>`select count(*)::int as n from contacts_ingest.webhook_deliveries where connection_id = ${connectionId}`
  return row!.n
}

/** Waits until the delivery worker has processed every stored delivery (none pending); how long that took. */
async function drained (ctx: BenchContext['env']): Promise<number> {
  const { ms } = await timed(async () => await waitFor('the delivery worker to process every stored delivery', async () => {
    const [row] = await ctx.sql<Array<{ n: number }>>`select count(*)::int as n from contacts_ingest.webhook_deliveries where status = 'pending'`
    return row!.n === 0
  }, { intervalMs: 100 }))
  return ms
}

async function api<T = unknown> (baseUrl: string, method: 'POST' | 'PUT', path: string, body: unknown): Promise<T> {
  const res = await request(`${baseUrl}${path}`, { method, headers: MSP_HEADERS, body: JSON.stringify(body) })
  const text = await res.body.text()
  if (res.statusCode >= 300) throw new Error(`${method} ${path}: ${res.statusCode} ${text}`)
  return JSON.parse(text) as T
}

async function closePsa (psa: PsaSimulator) { await psa.close() }

const describe = (r: LoadResult) => `${fmt(Math.round(r.okPerSecond))}/s, p99 ${r.p99} ms${r.failed ? `, ${r.failed} failed ${JSON.stringify(r.statuses)}` : ''}`

export const webhooks: Benchmark = { id: 6, name: 'webhooks', run }
