import { randomUUID } from 'node:crypto'
import t, { type Test } from 'tap'
import { sql } from 'drizzle-orm'
import { buildConnectWiseWebhook, type PsaSimulator } from '@m365/psa-simulator'
import { build, createConnection, putMapping, simulatorConnection, startSimulator, waitFor, type Harness } from '../helper.js'
import { storeDelivery } from '../../src/webhooks/deliveries.js'
import { deliveryKey } from '../../src/webhooks/payload.js'

const RESPONSE_TEXT_LIMIT = 2048 // @m365/psa's

interface Row { status: string, attempts: number, last_error: string | null, next_attempt_at: Date }

/** A ConnectWise callback without its Entity (so the worker fetches the contact), stored as intake stores it. */
async function refetchingDelivery (t: Test, h: Harness, sim: PsaSimulator) {
  const company = sim.admin.createCompany({ name: `Fabrikam ${randomUUID().slice(0, 6)}` })
  const conn = await createConnection(h.app, simulatorConnection(sim, 'connectwise'))
  await putMapping(h.app, conn.id, [{ companyExternalId: String(company.id), clientId: randomUUID() }])
  const contact = sim.admin.createContact({ companyId: company.id, firstName: 'Ira', lastName: 'Fox', emails: ['ira@fabrikam.example'] })
  const body = Buffer.from(JSON.stringify(buildConnectWiseWebhook(contact, { action: 'updated', keyUrl: sim.keyUrl(), variant: 'no-entity' })))
  const stored = await storeDelivery(h.app.db, { connectionId: conn.id, psa: 'connectwise', dedupeKey: deliveryKey('connectwise', body).dedupeKey, body, headers: {} })
  const row = async () => (await h.query<Row>(sql`select status, attempts, last_error, next_attempt_at
    from contacts_ingest.webhook_deliveries where id = ${stored.id}`))[0]
  t.ok(stored.id)
  return { row }
}

t.test('a PSA error page is logged with its first 2 KB only, not the whole body', async (t) => {
  const sim = await startSimulator(t)
  const h = await build(t, { bus: 'in-process' })
  const page = `<!DOCTYPE html><html><body>${'<p>Bad gateway, please try again later.</p>'.repeat(3000)}END-OF-PAGE</body></html>`
  sim.admin.failNext(1000, { status: 502, body: page })
  const { row } = await refetchingDelivery(t, h, sim)
  await waitFor(async () => (await row())?.last_error != null, 'a failed attempt')
  const warned = () => h.logs.lines.find((l) => l.msg === 'delivery processing failed, will retry')
  await waitFor(() => warned() !== undefined, 'the failure logged')
  const err = warned()?.err as { responseText?: string, status?: number } | undefined
  t.equal(err?.status, 502)
  t.ok(err?.responseText?.startsWith('<!DOCTYPE html>'), 'the start of the page is kept')
  t.ok((err?.responseText?.length ?? Infinity) <= RESPONSE_TEXT_LIMIT + 100, 'at most about 2 KB of it')
  t.match(err?.responseText, new RegExp(`truncated: ${page.length} characters in all\\)$`), 'the cut is noted')
  t.notOk(h.logs.raw.includes('END-OF-PAGE'), 'the rest of the page is in no log line')
})

/** The database's clock, which next_attempt_at is set by. */
async function dbNow (h: Harness): Promise<number> {
  const [row] = await h.query<{ now: Date }>(sql`select now() as now`)
  return new Date(row!.now).getTime()
}

const cwContactGets = (sim: PsaSimulator) => sim.admin.stats().byRoute['GET /v4_6_release/apis/3.0/company/contacts/:id'] ?? 0

t.test('a Retry-After longer than the client waits: the PSA is asked once, and the delivery not again before it said', async (t) => {
  const sim = await startSimulator(t)
  const h = await build(t, { bus: 'in-process' }) // PSA_HTTP_ATTEMPTS 2; the client waits out at most 30 s
  const before = await dbNow(h)
  sim.admin.failNext(1, { status: 429, retryAfterSeconds: 120 })
  const { row } = await refetchingDelivery(t, h, sim)
  await waitFor(async () => { const r = await row(); return r?.status !== 'pending' || r.last_error != null }, 'the attempt over')
  const r = await row()
  t.match(r, { status: 'pending', attempts: 1, last_error: /429/ })
  t.ok(new Date(r!.next_attempt_at).getTime() >= before + 120_000, 'next attempt no sooner than Retry-After')
  t.equal(cwContactGets(sim), 1, 'the client did not ask again before the PSA said')
})

t.test('a Retry-After on the attempt\'s last answer puts the next attempt no sooner than that', async (t) => {
  const sim = await startSimulator(t)
  const h = await build(t, { bus: 'in-process', env: { PSA_HTTP_ATTEMPTS: '1' } }) // DELIVERY_RETRY_BASE_MS 100
  const before = await dbNow(h)
  sim.admin.failNext(1, { status: 503, retryAfterSeconds: 20 })
  const { row } = await refetchingDelivery(t, h, sim)
  await waitFor(async () => (await row())?.last_error != null, 'a failed attempt')
  const r = await row()
  t.match(r, { status: 'pending', attempts: 1, last_error: /503/ })
  t.ok(new Date(r!.next_attempt_at).getTime() >= before + 20_000, 'not after the worker\'s own 100 ms backoff')
})
