import { and, asc, eq, gt, inArray, isNull, lt, ne, or, sql } from 'drizzle-orm'
import type { AnyDb } from '@m365/db'
import type { FastifyBaseLogger } from 'fastify'
import type { PsaClients } from '../connections/psa-clients.js'
import { applyIncoming, applyRestPage } from '../contacts/apply.js'
import { backfillRuns, companyMappings, contacts, psaConnections } from '../db/schema.js'
import type { ClaimedRun } from './runs.js'

export interface BackfillDeps {
  db: AnyDb
  clients: PsaClients
  log: FastifyBaseLogger
  pageSize?: number | undefined
  /** called when events may be waiting in the outbox */
  onChange?: () => void
}

/**
 * One backfill run (specs/psa-webhooks.md §2.5/§3.5/§4.5): pulls every contact of the mapped companies page by page
 * (only one page in memory), applies each like a refetch and marks it seen by the run. Only after the whole pull
 * succeeded are the contacts of those companies that it never saw tombstoned — except ones that changed after the
 * run started (a webhook created them meanwhile). A failing pull tombstones nothing.
 */
export async function runBackfill (deps: BackfillDeps, run: ClaimedRun): Promise<void> {
  const { db, log } = deps
  const [connection] = await db.select({ id: psaConnections.id, psa: psaConnections.psa }).from(psaConnections)
    .where(eq(psaConnections.id, run.connectionId))
  if (!connection) return
  const runLog = log.child({ runId: run.id, connectionId: connection.id })
  try {
    const companyIds = (await db.select({ id: companyMappings.companyExternalId }).from(companyMappings)
      .where(eq(companyMappings.connectionId, connection.id))).map((m) => m.id)
    runLog.info({ companies: companyIds.length }, 'backfill started')
    if (companyIds.length > 0) {
      const client = await deps.clients.get(connection.id)
      const pages = client.listContacts({ companyIds, ...(deps.pageSize ? { pageSize: deps.pageSize } : {}) })
      for (;;) {
        const observedAt = new Date()
        const next = await pages.next()
        if (next.done) break
        const page = next.value
        const counts = await applyRestPage(db, connection, page.contacts, observedAt, run.id)
        if (counts.events > 0) deps.onChange?.()
        if (page.invalid.length > 0) runLog.warn({ page: page.page, invalid: page.invalid.map((e) => e.message).slice(0, 10) }, 'invalid records skipped')
        await db.update(backfillRuns).set({
          pages: sql`${backfillRuns.pages} + 1`,
          contactsSeen: sql`${backfillRuns.contactsSeen} + ${page.contacts.length}`,
          upserted: sql`${backfillRuns.upserted} + ${counts.upserted}`,
          unchanged: sql`${backfillRuns.unchanged} + ${counts.unchanged}`,
          invalid: sql`${backfillRuns.invalid} + ${page.invalid.length}`,
          heartbeatAt: new Date()
        }).where(eq(backfillRuns.id, run.id))
      }
    }
    const tombstoned = await tombstoneVanished(db, connection, run, companyIds)
    await db.update(backfillRuns).set({ status: 'completed', finishedAt: new Date(), tombstoned, heartbeatAt: new Date() })
      .where(eq(backfillRuns.id, run.id))
    if (tombstoned > 0) deps.onChange?.()
    runLog.info({ tombstoned }, 'backfill completed')
  } catch (err) {
    runLog.warn({ err }, 'backfill failed; nothing tombstoned')
    await db.update(backfillRuns).set({ status: 'failed', finishedAt: new Date(), error: (err as Error).message ?? String(err) })
      .where(eq(backfillRuns.id, run.id))
  }
}

async function tombstoneVanished (db: AnyDb, connection: { id: string, psa: 'connectwise' | 'autotask' | 'halopsa' }, run: ClaimedRun, companyIds: string[]): Promise<number> {
  if (companyIds.length === 0) return 0
  let after = ''
  let count = 0
  for (;;) {
    const vanished = await db.select({ externalId: contacts.externalId }).from(contacts).where(and(
      eq(contacts.connectionId, connection.id),
      inArray(contacts.companyExternalId, companyIds),
      eq(contacts.deleted, false),
      or(isNull(contacts.lastSeenRunId), ne(contacts.lastSeenRunId, run.id)),
      lt(contacts.changedAt, run.startedAt),
      gt(contacts.externalId, after)
    )).orderBy(asc(contacts.externalId)).limit(200)
    for (const { externalId } of vanished) {
      // decided again under the contact's lock: a webhook may have changed it since the query
      const { decision } = await applyIncoming(db, connection, { kind: 'delete', externalId, unlessChangedSince: run.startedAt })
      if (decision.action === 'tombstone') count++
    }
    await db.update(backfillRuns).set({ heartbeatAt: new Date(), tombstoned: count }).where(eq(backfillRuns.id, run.id))
    if (vanished.length < 200) return count
    after = vanished[vanished.length - 1]?.externalId ?? after
  }
}
