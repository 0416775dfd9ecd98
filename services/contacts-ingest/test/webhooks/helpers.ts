import type { Test } from 'tap'
import { sql } from 'drizzle-orm'
import type { SimContact } from '@m365/psa-simulator'
import { pendingDeliveries, waitFor, type Harness, type StoredContact } from '../helper.js'
import { startDeliveryWorker } from '../../src/webhooks/worker.js'

/** The app on a real port, for the simulator's sender. */
export async function listen (t: Test, h: Harness): Promise<string> {
  const address = await h.app.listen({ port: 0, host: '127.0.0.1' })
  return address
}

/** Every delivery processed (or given up), every event published and received by the test's consumer. */
export async function settled (h: Harness, what = 'deliveries processed and events received'): Promise<void> {
  await waitFor(async () => {
    if (await pendingDeliveries(h) > 0) return false
    const [row] = await h.query<{ unsent: number, total: number }>(sql`select count(*) filter (where sent_at is null)::int as unsent,
      count(*)::int as total from contacts_ingest.outbox`)
    return row?.unsent === 0 && row.total === h.events.upserted.length + h.events.deleted.length
  }, what, 30_000)
}

/** What we should hold for a simulator contact (Autotask and Halo show only three addresses). */
export function expectedFrom (c: SimContact, maxEmails = 3) {
  return {
    first_name: c.firstName,
    last_name: c.lastName,
    title: c.title,
    emails: c.emails.slice(0, maxEmails).map((a) => a.trim().toLowerCase()),
    company_external_id: String(c.company.id),
    active: c.active,
    deleted: false
  }
}

export function actual (row: StoredContact | undefined) {
  if (!row) return undefined
  return {
    first_name: row.first_name,
    last_name: row.last_name,
    title: row.title,
    emails: row.emails.map((e) => e.address),
    company_external_id: row.company_external_id,
    active: row.active,
    deleted: row.deleted
  }
}

/** A delivery worker of the test's own on the app's database and PSA clients: it polls rarely, retries at once. */
export function testWorker (h: Harness, options: Partial<Parameters<typeof startDeliveryWorker>[0]> = {}) {
  return startDeliveryWorker({
    db: h.app.db,
    clients: h.app.psaClients,
    connections: h.app.connections,
    log: h.app.log,
    pollMs: 600_000,
    batch: 10,
    concurrency: 1,
    leaseMs: 120_000,
    retryBaseMs: 1,
    retryMaxMs: 1,
    maxAttempts: 10,
    retentionDays: 14,
    ...options
  })
}
