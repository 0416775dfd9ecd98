import { randomUUID } from 'node:crypto'
import t from 'tap'
import { buildAutotaskWebhook, sendWebhooks } from '@m365/psa-simulator'
import {
  assertSettled, buildVersion, connectPsa, contactDrift, createClient, createReport, ingestContacts, listAll, mapCompanies, reportContacts,
  startPrivateNats, startStack, storedDeliveries, unprocessedDeliveries, unsentContactEvents, versionRows, waitFor, workDir
} from '../src/index.js'

const BURST = 1_000
const SECRET = 'e2e-autotask-webhook-secret'

t.test('NATS restarted during a webhook burst: every acknowledged delivery is stored once and reaches the report once', async (t) => {
  // a private NATS this test may stop; the shared one on 4222 is never touched
  const dir = await workDir(t, 'nats-restart')
  const nats = await startPrivateNats(dir)
  t.teardown(() => nats.server.stop())
  const stack = await startStack(t, { name: 'nats-restart', dir, natsUrl: nats.url })
  const { api, sims: { psa } } = stack

  const clientId = await createClient(api, 'Burst Dental')
  const company = psa.admin.createCompany({ name: 'Burst Dental' })
  const contacts = Array.from({ length: BURST }, (_, i) => psa.admin.createContact({
    companyId: company.id, firstName: 'Person', lastName: `No ${i + 1}`, emails: [`person${i + 1}@burst.example`], title: 'Staff'
  }))
  const connection = await connectPsa(stack, 'autotask', SECRET)
  await mapCompanies(api, connection.id, [{ companyExternalId: String(company.id), clientId }])

  // --- the burst: one Create per contact, as Autotask sends them, retried by the sender on any non-2xx
  const guid = randomUUID()
  const events = contacts.map((c, i) => buildAutotaskWebhook(c, { action: 'Create', guid, sequenceNumber: i + 1 }))
  const keys = contacts.map((c, i) => `at:${guid}:${c.id}:${i + 1}`)
  const storedCount = async () => [...(await storedDeliveries(stack.sql, connection.id)).values()].reduce((n, d) => n + d.count, 0)
  const burst = sendWebhooks({
    psa: 'autotask',
    secret: SECRET,
    targetUrl: `${stack.contactsIngestUrl}${connection.webhookPath}`,
    events,
    concurrency: 10,
    retries: { attempts: 50, delayMs: 200 },
    timeoutMs: 10_000
  })

  // --- NATS goes away a third of the way in, and comes back on the same port and store
  await waitFor('a third of the burst to be stored', async () => await storedCount() >= BURST / 3)
  await nats.server.stop()
  const storedWhenDown = await storedCount()
  const notReady = await waitFor('contacts-ingest to report the bus down', async () => {
    const res = await fetch(`${stack.contactsIngestUrl}/readyz`)
    return res.status === 503 ? await res.text() : undefined
  }, 30_000)
  t.match(notReady, /bus/, 'with NATS down, contacts-ingest is not ready (the bus)')
  await waitFor('webhooks to keep being accepted while NATS is down', async () => {
    const n = await storedCount()
    return n >= Math.min(BURST, storedWhenDown + 100)
  }, 60_000)
  t.comment(`NATS stopped at ${storedWhenDown} stored deliveries; restarting at ${await storedCount()}`)
  await nats.server.startReady(30_000)

  const sent = await burst
  t.equal(sent.failed, 0, 'the PSA got a 2xx for every delivery in the end')

  // --- contacts-ingest: each acknowledged delivery stored exactly once, nothing else
  const stored = await storedDeliveries(stack.sql, connection.id)
  const acknowledged = sent.deliveries.filter((d) => d.delivered).map((d) => keys[d.event]!)
  t.equal(acknowledged.length, BURST, 'every delivery acknowledged')
  t.same(acknowledged.filter((key) => stored.get(key)?.count !== 1), [], 'each acknowledged delivery is stored exactly once')
  t.equal(stored.size, BURST, 'and nothing else is stored')

  // --- processed and published once NATS is back; report's read model holds each contact once, current
  await waitFor('every delivery processed', async () => await unprocessedDeliveries(stack.sql) === 0, 90_000)
  await waitFor('every contact event published', async () => await unsentContactEvents(stack.sql) === 0, 90_000)
  const source = await ingestContacts(stack.sql, connection.id)
  t.equal(source.size, BURST, `contacts-ingest holds ${BURST} contacts`)
  const drift = await waitFor('report to hold every contact as contacts-ingest does', async () => {
    const d = contactDrift(source, await reportContacts(stack.sql, connection.id))
    return d.length === 0 ? d : undefined
  }, 90_000)
  t.same(drift, [], 'report holds every contact once, at contacts-ingest\'s revision')

  // --- through the API: a contacts+o365 version has a row per contact, each once
  const template = await api.post<{ id: string }>('/v1/templates', {
    name: 'PSA contacts',
    office365: { mergeMode: 'contacts+o365', columns: [{ key: 'contactName' }, { key: 'contactEmail' }, { key: 'source' }] }
  })
  const version = await buildVersion(api, await createReport(api, clientId, 'Contacts', template.id))
  t.equal(version.rowCount, BURST, `the version has ${BURST} rows`)
  t.match(version.mergeStats, { contacts: BURST }, `and counts ${BURST} contacts`)
  const rows = await versionRows(api, version.id)
  const emails = rows.map((r) => String(r.values.contactEmail))
  t.equal(new Set(emails).size, BURST, 'one row per contact, none twice')
  t.same(contacts.map((c) => c.emails[0]).filter((e) => !emails.includes(e!)), [], 'none missing')

  // --- everyone reconnected
  await assertSettled(t, stack)
  const clients = await listAll<{ id: string }>(api, '/v1/clients')
  t.same(clients.map((c) => c.id), [clientId], 'and answering')
})
