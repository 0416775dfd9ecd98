import t from 'tap'
import { createAutotaskClient, createConnectWiseClient, createHaloClient, type RetryInfo } from '@m365/psa'
import type { DownMode } from '@m365/psa-simulator'
import { collect, simulator, waitFor } from './helpers.js'

const modes: Array<[DownMode, (r: RetryInfo) => unknown]> = [
  ['unavailable', (r) => r.status],
  ['reset', (r) => (r.error as { code?: string }).code],
  ['refuse', (r) => (r.error as { code?: string }).code]
]

for (const [mode, what] of modes) {
  t.test(`setDown(true, { mode: '${mode}' }) makes the client retry, then it succeeds`, async (t) => {
    const sim = await simulator(t)
    const { firstContactId } = sim.admin.generate({ contacts: 3 })
    const retries: RetryInfo[] = []
    const client = createConnectWiseClient({
      ...sim.clientOptions.connectwise,
      retry: { attempts: 1000, baseDelayMs: 2, maxDelayMs: 10, onRetry: (info) => retries.push(info) }
    })
    await sim.admin.setDown(true, { mode })
    const pending = client.getContact(firstContactId)
    await waitFor(() => retries.length >= 2, 'two retries')
    await sim.admin.setDown(false)
    t.match(await pending, { externalId: String(firstContactId) })
    t.ok(retries.length >= 2)
    const expected = mode === 'unavailable' ? 503 : mode === 'refuse' ? 'ECONNREFUSED' : undefined
    if (expected !== undefined) t.equal(what(retries[0]!), expected)
    else t.ok(retries.every((r) => r.status === undefined), 'no HTTP answer at all')
    if (mode !== 'refuse') t.ok(sim.admin.stats().failedOnPurpose >= 2)
  })
}

t.test('failNext: 429 with Retry-After, then normal service', async (t) => {
  const sim = await simulator(t)
  sim.admin.generate({ contacts: 1200 })
  const retries: RetryInfo[] = []
  const client = createAutotaskClient({ ...sim.clientOptions.autotask, retry: { baseDelayMs: 1, onRetry: (info) => retries.push(info) } })
  sim.admin.failNext(2, { status: 429, retryAfterSeconds: 0 })
  const all = await collect(client.listContacts())
  t.equal(all.contacts.length, 1200)
  t.same(retries.map((r) => [r.status, r.delayMs]), [[429, 0], [429, 0]], 'Retry-After: 0 was honoured')
  t.equal(sim.admin.stats().byStatus['429'], 2)
})

t.test('a down simulator fails a client that runs out of attempts', async (t) => {
  const sim = await simulator(t)
  await sim.admin.setDown(true, { retryAfterSeconds: 0 })
  const client = createHaloClient({ ...sim.clientOptions.halopsa, retry: { attempts: 3 } })
  await t.rejects(client.getContact(1), { name: 'PsaHttpError', status: 503 })
  t.equal(sim.admin.stats().failedOnPurpose, 3)
})
