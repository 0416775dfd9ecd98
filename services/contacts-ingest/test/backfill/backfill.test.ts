import { randomUUID } from 'node:crypto'
import t, { type Test } from 'tap'
import { sql } from 'drizzle-orm'
import type { BackfillRun } from '@m365/api'
import type { PsaSimulator } from '@m365/psa-simulator'
import {
  build, createConnection, headersFor, putMapping, simulatorConnection, startSimulator, storedContacts, waitFor, type Harness
} from '../helper.js'
import { startPsaProxy } from '../psa-proxy.js'
import { actual, expectedFrom, settled } from '../webhooks/helpers.js'

async function backfill (h: Harness, connectionId: string): Promise<BackfillRun> {
  const res = await h.app.inject({ method: 'POST', url: `/v1/psa-connections/${connectionId}/backfill`, headers: headersFor() })
  if (res.statusCode !== 202) throw new Error(`backfill answered ${res.statusCode}: ${res.body}`)
  const queued = res.json() as BackfillRun
  let run = queued
  await waitFor(async () => {
    const got = await h.app.inject({ url: `/v1/psa-connections/${connectionId}/backfills/${queued.id}`, headers: headersFor() })
    run = got.json()
    return run.status === 'completed' || run.status === 'failed'
  }, `backfill ${queued.id}`, 30_000)
  return run
}

/** The contacts of these companies we must hold: exactly the simulator's. */
async function matchesSimulator (t: Test, h: Harness, sim: PsaSimulator, connectionId: string, companyIds: number[], psa: string) {
  const stored = await storedContacts(h, connectionId)
  const expected = companyIds.flatMap((companyId) => sim.admin.listContacts({ companyId }))
  const live = [...stored.values()].filter((c) => !c.deleted && companyIds.map(String).includes(c.company_external_id ?? ''))
  t.equal(live.length, expected.length, `${psa}: as many live contacts as the PSA has`)
  let mismatches = 0
  for (const c of expected) {
    const got = actual(stored.get(String(c.id)))
    const want = expectedFrom(c, psa === 'connectwise' ? 10 : 3)
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      if (mismatches++ < 3) t.same(got, want, `contact ${c.id}`)
    }
  }
  t.equal(mismatches, 0, `${psa}: every contact as the PSA has it`)
}

for (const psa of ['autotask', 'connectwise', 'halopsa'] as const) {
  t.test(`${psa}: backfill pulls the mapped companies page by page, repairs missed webhooks and tombstones vanished contacts`, async (t) => {
    const sim = await startSimulator(t)
    const h = await build(t, { env: { BACKFILL_PAGE_SIZE: '25' } })
    const generated = sim.admin.generate({ seed: 3, companies: 3, contacts: 240 })
    const [c1, c2, c3] = generated.companies.map((c) => c.id) as [number, number, number]
    const clientId = randomUUID()
    const conn = await createConnection(h.app, simulatorConnection(sim, psa))
    await putMapping(h.app, conn.id, [c1, c2].map((id) => ({ companyExternalId: String(id), clientId })))

    const first = await backfill(h, conn.id)
    const mapped = sim.admin.listContacts({ companyId: c1 }).length + sim.admin.listContacts({ companyId: c2 }).length
    t.match(first, { status: 'completed', trigger: 'manual', contactsSeen: mapped, upserted: mapped, tombstoned: 0, error: null })
    t.ok(first.pages > 2, `several pages (${first.pages})`)
    await matchesSimulator(t, h, sim, conn.id, [c1, c2], psa)
    t.notOk([...(await storedContacts(h, conn.id)).values()].some((c) => c.company_external_id === String(c3)), 'unmapped companies are not pulled')
    await settled(h)
    t.equal(h.events.upserted.length, mapped, 'one ContactsUpserted per contact')

    // changes whose webhooks never arrived
    const inC1 = sim.admin.listContacts({ companyId: c1 })
    const inC2 = sim.admin.listContacts({ companyId: c2 })
    const updated = inC1.slice(0, 4).map((c) => sim.admin.updateContact(c.id, { title: 'Changed', lastName: `${c.lastName}-x` }))
    const created = [sim.admin.createContact({ companyId: c2, firstName: 'New', lastName: 'Person', emails: ['new.person@example.test'] })]
    const deleted = [...inC1.slice(5, 7), ...inC2.slice(0, 2)].map((c) => sim.admin.deleteContact(c.id))
    const moved = sim.admin.updateContact(inC2[3]!.id, { companyId: c3 })
    const before = { up: h.events.upserted.length, del: h.events.deleted.length }

    const second = await backfill(h, conn.id)
    // the moved contact is asked for by id: it exists, so it is updated (to an unmapped company), not tombstoned
    t.match(second, { status: 'completed', upserted: updated.length + created.length + 1, tombstoned: deleted.length })
    await matchesSimulator(t, h, sim, conn.id, [c1, c2], psa)
    const stored = await storedContacts(h, conn.id)
    for (const d of deleted) t.match(stored.get(String(d.id)), { deleted: true, first_name: null }, `deleted ${d.id} is a tombstone`)
    t.match(stored.get(String(moved.id)), { deleted: false, company_external_id: String(c3), client_id: null },
      'a contact that left the mapped companies is withdrawn from its client')
    await settled(h)
    t.equal(h.events.upserted.length - before.up, updated.length + created.length, 'no ContactsUpserted for the moved contact')
    t.same(h.events.deleted.slice(before.del).map((e) => e.data.externalId).sort(),
      [...deleted.map((d) => String(d.id)), String(moved.id)].sort(), 'a ContactsDeleted for each vanished contact')

    const third = await backfill(h, conn.id)
    t.match(third, { status: 'completed', upserted: 0, tombstoned: 0, unchanged: third.contactsSeen }, 'nothing left to repair')
  })
}

t.test('a failed pull tombstones nothing, and a failed run can be followed by a new one', async (t) => {
  const sim = await startSimulator(t)
  const h = await build(t, { bus: 'in-process', env: { BACKFILL_PAGE_SIZE: '10' } })
  const { companies: [company] } = sim.admin.generate({ seed: 5, companies: 1, contacts: 30 })
  const conn = await createConnection(h.app, simulatorConnection(sim, 'autotask'))
  await putMapping(h.app, conn.id, [{ companyExternalId: String(company!.id), clientId: randomUUID() }])
  t.equal((await backfill(h, conn.id)).status, 'completed')
  const victim = sim.admin.listContacts()[0]!
  sim.admin.deleteContact(victim.id)
  await sim.admin.setDown(true, { mode: 'unavailable' })
  const failed = await backfill(h, conn.id)
  t.match(failed, { status: 'failed', tombstoned: 0, error: /503/ })
  t.match((await storedContacts(h, conn.id)).get(String(victim.id)), { deleted: false }, 'still live: the pull was not complete')
  await sim.admin.setDown(false)
  const repaired = await backfill(h, conn.id)
  t.match(repaired, { status: 'completed', tombstoned: 1 })
})

t.test('backfills run on a schedule for connections that can be pulled, one at a time', async (t) => {
  const sim = await startSimulator(t)
  const h = await build(t, { bus: 'in-process', env: { BACKFILL_INTERVAL_MINUTES: '0.005', BACKFILL_SCHEDULER_TICK_MS: '50' } })
  const { companies: [company] } = sim.admin.generate({ seed: 9, companies: 1, contacts: 12 })
  const noCredentials = await createConnection(h.app, { psa: 'autotask', name: 'no creds', baseUrl: sim.clientOptions.autotask.baseUrl })
  await putMapping(h.app, noCredentials.id, [{ companyExternalId: String(company!.id), clientId: randomUUID() }])
  const conn = await createConnection(h.app, simulatorConnection(sim, 'autotask'))
  await putMapping(h.app, conn.id, [{ companyExternalId: String(company!.id), clientId: randomUUID() }])
  type Run = { connection_id: string, trigger: string, status: string }
  await waitFor(async () => {
    const runs = await h.query<Run>(sql`select connection_id, trigger, status from contacts_ingest.backfill_runs`)
    return runs.filter((r) => r.status === 'completed').length >= 2
  }, 'two scheduled runs completed')
  const runs = await h.query<Run>(sql`select connection_id, trigger, status from contacts_ingest.backfill_runs`)
  t.ok(runs.every((r) => r.trigger === 'schedule' && r.connection_id === conn.id), 'only the connection with credentials')
  const [active] = await h.query<{ n: number }>(sql`select max(n)::int as n from (select count(*) as n from contacts_ingest.backfill_runs
    where status in ('queued', 'running') group by connection_id) s`)
  t.ok((active?.n ?? 0) <= 1)
  t.equal((await storedContacts(h, conn.id)).size, 12)
})

t.test('a held contact whose PSA record no longer passes our schema is skipped, not tombstoned', async (t) => {
  const sim = await startSimulator(t)
  const h = await build(t, { bus: 'in-process' })
  const { companies: [company] } = sim.admin.generate({ seed: 11, companies: 1, contacts: 5 })
  const conn = await createConnection(h.app, simulatorConnection(sim, 'autotask'))
  await putMapping(h.app, conn.id, [{ companyExternalId: String(company!.id), clientId: randomUUID() }])
  t.equal((await backfill(h, conn.id)).status, 'completed')
  const bad = sim.admin.listContacts()[0]!
  // the PSA now sends a number where our schema wants text
  sim.admin.updateContact(bad.id, { title: 42 as unknown as string })
  const run = await backfill(h, conn.id)
  t.match(run, { status: 'completed', invalid: 1, tombstoned: 0 })
  t.match((await storedContacts(h, conn.id)).get(String(bad.id)), { deleted: false, first_name: bad.firstName })
  await settled(h)
  t.same(h.events.deleted, [], 'no ContactsDeleted')
})

t.test('a contact the pull missed because one before it was deleted mid-pull is kept; the deleted one is tombstoned once the PSA says 404', async (t) => {
  const sim = await startSimulator(t)
  const h = await build(t, { bus: 'in-process', env: { BACKFILL_PAGE_SIZE: '2' } })
  let deleteBeforePage2: number | undefined
  // Halo pages by offset (page_no): a delete between two pages shifts the next contact onto the page already read
  const proxy = await startPsaProxy(t, sim.url, (req) => {
    if (deleteBeforePage2 !== undefined && /^\/api\/Users\?.*page_no=1(&|$)/.test(req.url ?? '')) {
      sim.admin.deleteContact(deleteBeforePage2)
      deleteBeforePage2 = undefined
    }
  })
  const { companies: [company] } = sim.admin.generate({ seed: 13, companies: 1, contacts: 4 })
  const conn = await createConnection(h.app, simulatorConnection(sim, 'halopsa', { baseUrl: proxy }))
  await putMapping(h.app, conn.id, [{ companyExternalId: String(company!.id), clientId: randomUUID() }])
  t.equal((await backfill(h, conn.id)).status, 'completed')
  const [first, , missed] = sim.admin.listContacts()
  deleteBeforePage2 = first!.id
  const run = await backfill(h, conn.id)
  t.match(run, { status: 'completed', contactsSeen: 3, tombstoned: 0 }, 'the third contact slid onto page 1, already read')
  const stored = await storedContacts(h, conn.id)
  t.same(actual(stored.get(String(missed!.id))), expectedFrom(missed!), 'the PSA still has the missed contact: kept')
  await settled(h)
  t.same(h.events.deleted, [], 'no ContactsDeleted')

  t.match(await backfill(h, conn.id), { status: 'completed', tombstoned: 1 }, 'the next run tombstones the deleted one (the PSA says 404)')
  t.match((await storedContacts(h, conn.id)).get(String(first!.id)), { deleted: true })
})

t.test('a Retry-After longer than the client waits fails the run without asking the PSA again before it said', async (t) => {
  const sim = await startSimulator(t)
  const h = await build(t, { bus: 'in-process' }) // the client waits out a Retry-After of at most 30 s
  const { companies: [company] } = sim.admin.generate({ seed: 6, companies: 1, contacts: 5 })
  const conn = await createConnection(h.app, simulatorConnection(sim, 'connectwise'))
  await putMapping(h.app, conn.id, [{ companyExternalId: String(company!.id), clientId: randomUUID() }])
  sim.admin.failNext(1, { status: 429, retryAfterSeconds: 120 })
  t.match(await backfill(h, conn.id), { status: 'failed', tombstoned: 0, error: /429/ })
  t.equal(sim.admin.stats().byRoute['GET /v4_6_release/apis/3.0/company/contacts'], 1, 'asked once')
})
