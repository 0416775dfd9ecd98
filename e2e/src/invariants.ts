import type { Test } from 'tap'
import { listAll } from './api.js'
import { contactDrift, ingestContacts, reportContacts, storedVersionRows, unprocessedDeliveries, unsentContactEvents } from './checks.js'
import type { SyncRun, Version } from './flows.js'
import type { Stack } from './stack.js'
import { waitFor } from './wait.js'

interface O365User { tenantId: string, id: string }

/**
 * What must hold after any scenario, whatever was killed or restarted on the way, checked over
 * everything the stack holds once it has settled:
 * - no acknowledged webhook lost: every stored delivery processed, every contact event published,
 *   report's contacts equal to contacts-ingest's (same revisions, none missing, none extra);
 * - snapshots never half-applied, no duplicate rows: each tenant's users in report are exactly its
 *   latest completed sync's objects, each once;
 * - no half version: every version is ready with as many stored rows as its rowCount says;
 * - every service answers /readyz.
 */
export async function assertSettled (t: Test, stack: Stack): Promise<void> {
  const { api, sql } = stack
  await waitFor('contacts-ingest to process every delivery and publish every event', async () =>
    await unprocessedDeliveries(sql) === 0 && await unsentContactEvents(sql) === 0, 90_000)
  for (const connection of await listAll<{ id: string }>(api, '/v1/psa-connections')) {
    const source = await ingestContacts(sql, connection.id)
    const drift = await waitFor(`report to agree with contacts-ingest on connection ${connection.id}`, async () => {
      const d = contactDrift(source, await reportContacts(sql, connection.id))
      return d.length === 0 ? d : undefined
    }, 90_000)
    t.same(drift, [], `settled: report holds connection ${connection.id}'s ${source.size} contacts as contacts-ingest does`)
  }

  for (const client of await listAll<{ id: string }>(api, '/v1/clients')) {
    const users = await listAll<O365User>(api, `/v1/clients/${client.id}/office365/users`)
    t.equal(new Set(users.map((u) => `${u.tenantId}/${u.id}`)).size, users.length, `settled: client ${client.id}'s ${users.length} directory objects, each once`)
    for (const tenant of await listAll<{ tenantId: string }>(api, `/v1/clients/${client.id}/tenants`)) {
      const runs = await listAll<SyncRun>(api, `/v1/clients/${client.id}/tenants/${tenant.tenantId}/syncs`)
      const latest = runs.find((r) => r.outcome === 'completed')
      if (!latest?.counts) continue
      const expected = latest.counts.users! + latest.counts.deleted! + latest.counts.orgContacts!
      t.equal(users.filter((u) => u.tenantId === tenant.tenantId).length, expected,
        `settled: tenant ${tenant.tenantId} in report is its latest sync's ${expected} objects, whole`)
    }
    for (const report of await listAll<{ id: string }>(api, `/v1/clients/${client.id}/reports`)) {
      const versions = await listAll<Version>(api, `/v1/reports/${report.id}/versions`)
      const stored = await storedVersionRows(sql, versions.map((v) => v.id))
      t.same(versions.filter((v) => v.status !== 'ready' || (stored.get(v.id) ?? 0) !== v.rowCount).map((v) => `${v.number}: ${v.status}, ${String(v.rowCount)} rows, ${stored.get(v.id) ?? 0} stored`), [],
        `settled: report ${report.id}'s ${versions.length} versions are whole`)
      const numbers = versions.map((v) => v.number).sort((a, b) => a - b)
      t.same(numbers, numbers.map((_n, i) => i + 1), `settled: report ${report.id}'s versions are numbered 1..${numbers.length}`)
    }
  }

  await stack.allReady()
  t.pass('settled: every service is ready')
}
