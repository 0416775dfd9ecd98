import { randomUUID } from 'node:crypto'
import t from 'tap'
import { request } from 'undici'
import { sql } from 'drizzle-orm'
import { encodePrincipal, PRINCIPAL_HEADER, type BackfillRun, type PsaConnection } from '@m365/api'
import { createServiceDb, openDatabase, queryRows } from '@m365/db'
import { createTestDatabase } from '@m365/db/testing'
import { buildAutotaskWebhook, sendWebhooks } from '@m365/psa-simulator'
import { ENCRYPTION_KEY, NATS_URL, natsBus, simulatorConnection, startSimulator, waitFor } from '../helper.js'
import { freePort, startService, type ServiceProcess } from './service-process.js'

const msp = { [PRINCIPAL_HEADER]: encodePrincipal({ role: 'msp', sub: 'ops@msp.example' }) }

async function api<T> (url: string, method: 'GET' | 'POST' | 'PUT', body?: unknown): Promise<T> {
  const res = await request(url, {
    method, headers: { ...msp, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
  const text = await res.body.text()
  if (res.statusCode >= 300) throw new Error(`${method} ${url} answered ${res.statusCode}: ${text}`)
  return JSON.parse(text) as T
}

t.test('a burst of 5,000 webhooks with the service killed and restarted in the middle: every 2xx delivery is stored exactly once', async (t) => {
  const sim = await startSimulator(t)
  const db = await createTestDatabase(t)
  const namespace = `ci_burst_${randomUUID().slice(0, 8)}`
  await natsBus(t, namespace) // owns the namespace's teardown
  const port = await freePort()
  const env = {
    DATABASE_URL: db.url,
    NATS_URL,
    BUS_NAMESPACE: namespace,
    ENCRYPTION_KEY,
    LOG_LEVEL: 'warn',
    WEBHOOK_RATE_LIMIT_MAX: '1000000',
    DELIVERY_POLL_MS: '50',
    DELIVERY_LEASE_MS: '2000',
    OUTBOX_POLL_MS: '50',
    BACKFILL_POLL_MS: '50'
  }
  let service: ServiceProcess = await startService(t, env, port)

  const { companies: [company] } = sim.admin.generate({ seed: 11, companies: 1, contacts: 250 })
  const contacts = sim.admin.listContacts()
  const secret = 'at-burst-secret'
  const conn = await api<PsaConnection>(`${service.url}/v1/psa-connections`, 'POST', simulatorConnection(sim, 'autotask', { webhookSecret: secret }))
  await api(`${service.url}/v1/psa-connections/${conn.id}/companies`, 'PUT', { companies: [{ companyExternalId: String(company!.id), clientId: randomUUID() }] })
  const run = await api<BackfillRun>(`${service.url}/v1/psa-connections/${conn.id}/backfill`, 'POST')
  await waitFor(async () => (await api<BackfillRun>(`${service.url}/v1/psa-connections/${conn.id}/backfills/${run.id}`, 'GET')).status === 'completed', 'initial backfill')

  const guid = randomUUID()
  const events: object[] = []
  const keys: string[] = []
  for (let round = 0; round < 20; round++) {
    for (const c of contacts) {
      const sequenceNumber = events.length + 1
      events.push(buildAutotaskWebhook(sim.admin.updateContact(c.id, { title: `round ${round}` }), { action: 'Update', guid, sequenceNumber }))
      keys.push(`at:${guid}:${c.id}:${sequenceNumber}`)
    }
  }
  t.equal(events.length, 5000)

  const handle = await openDatabase({ url: db.url })
  t.teardown(() => handle.close())
  const ours = createServiceDb(handle, { schema: 'contacts_ingest' }).db
  const stored = async () => (await queryRows<{ n: number }>(ours, sql`select count(*)::int as n from contacts_ingest.webhook_deliveries`))[0]?.n ?? 0

  let restarted = false
  const restart = (async () => {
    await waitFor(async () => (await stored()) >= 1500, 'a third of the burst stored', 60_000)
    await service.kill('SIGKILL')
    service = await startService(t, env, port)
    restarted = true
  })()
  const report = await sendWebhooks({
    psa: 'autotask',
    secret,
    targetUrl: `http://127.0.0.1:${port}/webhooks/autotask/${conn.id}`,
    events,
    concurrency: 50,
    retries: { attempts: 200, delayMs: 100 },
    timeoutMs: 10_000
  })
  await restart
  t.ok(restarted, 'the service was killed and restarted during the burst')
  t.ok(report.deliveries.some((d) => d.attempts.some((a) => a.error !== undefined)), 'some deliveries hit the dead service and were retried')
  t.equal(report.failed, 0, 'every delivery got a 2xx in the end')

  const rows = await queryRows<{ dedupe_key: string, n: number }>(ours,
    sql`select dedupe_key, count(*)::int as n from contacts_ingest.webhook_deliveries where connection_id = ${conn.id} group by dedupe_key`)
  const byKey = new Map(rows.map((r) => [r.dedupe_key, r.n]))
  const acknowledged = report.deliveries.filter((d) => d.delivered).map((d) => keys[d.event] as string)
  t.equal(acknowledged.length, 5000)
  t.equal(acknowledged.filter((key) => byKey.get(key) !== 1).length, 0, 'each acknowledged delivery is stored exactly once')
  t.equal(rows.length, 5000, 'and nothing else')

  await waitFor(async () => (await queryRows<{ n: number }>(ours,
    sql`select count(*)::int as n from contacts_ingest.webhook_deliveries where status <> 'done'`))[0]?.n === 0, 'every delivery processed', 120_000)
  const titles = await queryRows<{ title: string, n: number }>(ours,
    sql`select title, count(*)::int as n from contacts_ingest.contacts where connection_id = ${conn.id} group by title`)
  t.same(titles, [{ title: 'round 19', n: 250 }], 'every contact ends at its last change, whatever order the burst arrived in')
  await service.kill('SIGTERM')
})
