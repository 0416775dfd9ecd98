import { and, asc, eq, gt, inArray, isNull, lt, ne, or, sql } from 'drizzle-orm'
import type { AnyDb } from '@m365/db'
import { PsaPayloadError, type PsaContactClient } from '@m365/psa'
import type { FastifyBaseLogger } from 'fastify'
import type { PsaClients } from '../connections/psa-clients.js'
import { applyIncoming, applyRestPage } from '../contacts/apply.js'
import type { Decision, Incoming } from '../contacts/decide.js'
import type { ConnectionRef } from '../contacts/write.js'
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
 * succeeded are the contacts of those companies that it never saw checked with the PSA (reconcileUnseen) — except ones
 * that changed after the run started (a webhook created them meanwhile). A failing pull tombstones nothing.
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
    let tombstoned = 0
    if (companyIds.length > 0) {
      const client = await deps.clients.get(connection.id)
      await pull(deps, client, connection, run, companyIds, runLog)
      tombstoned = await reconcileUnseen(deps, client, connection, run, companyIds)
    }
    await db.update(backfillRuns).set({ status: 'completed', finishedAt: new Date(), tombstoned, heartbeatAt: new Date() })
      .where(eq(backfillRuns.id, run.id))
    runLog.info({ tombstoned }, 'backfill completed')
  } catch (err) {
    runLog.warn({ err }, 'backfill failed; nothing tombstoned')
    await db.update(backfillRuns).set({ status: 'failed', finishedAt: new Date(), error: (err as Error).message ?? String(err) })
      .where(eq(backfillRuns.id, run.id))
  }
}

async function pull (
  deps: BackfillDeps, client: PsaContactClient, connection: ConnectionRef, run: ClaimedRun, companyIds: string[], runLog: FastifyBaseLogger
): Promise<void> {
  const { db } = deps
  const pages = client.listContacts({ companyIds, ...(deps.pageSize ? { pageSize: deps.pageSize } : {}) })
  for (;;) {
    const observedAt = new Date()
    const next = await pages.next()
    if (next.done) return
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

const UNSEEN_PAGE = 200

/**
 * The contacts of the mapped companies that the pull did not see, a page at a time. Not seeing one proves nothing:
 * its record may fail our schema (skipped), or an offset pager (ConnectWise page=n, HaloPSA page_no) skipped it when
 * a contact before it was deleted mid-pull. So each is asked for by id, as a HaloPSA delete hint is (checkUnseen).
 * Returns how many were tombstoned.
 */
async function reconcileUnseen (
  deps: BackfillDeps, client: PsaContactClient, connection: ConnectionRef, run: ClaimedRun, companyIds: string[]
): Promise<number> {
  let after = ''
  let tombstoned = 0
  for (;;) {
    const unseen = await unseenContacts(deps.db, connection.id, run, companyIds, after)
    let upserted = 0
    for (const externalId of unseen) {
      const action = await checkUnseen(deps.db, client, connection, run, externalId)
      if (action === 'tombstone') tombstoned++
      if (action === 'write') upserted++
    }
    await deps.db.update(backfillRuns).set({ heartbeatAt: new Date(), tombstoned, upserted: sql`${backfillRuns.upserted} + ${upserted}` })
      .where(eq(backfillRuns.id, run.id))
    if (tombstoned + upserted > 0) deps.onChange?.()
    if (unseen.length < UNSEEN_PAGE) return tombstoned
    after = unseen[unseen.length - 1] ?? after
  }
}

async function unseenContacts (db: AnyDb, connectionId: string, run: ClaimedRun, companyIds: string[], after: string): Promise<string[]> {
  const rows = await db.select({ externalId: contacts.externalId }).from(contacts).where(and(
    eq(contacts.connectionId, connectionId),
    inArray(contacts.companyExternalId, companyIds),
    eq(contacts.deleted, false),
    or(isNull(contacts.lastSeenRunId), ne(contacts.lastSeenRunId, run.id)),
    lt(contacts.changedAt, run.startedAt),
    gt(contacts.externalId, after)
  )).orderBy(asc(contacts.externalId)).limit(UNSEEN_PAGE)
  return rows.map((r) => r.externalId)
}

/**
 * Asks the PSA for one contact the pull did not see: gone (404) → tombstone; there → applied like a refetch (it may
 * have moved to an unmapped company); there but failing our schema → left alone (bad input never deletes data).
 */
async function checkUnseen (
  db: AnyDb, client: PsaContactClient, connection: ConnectionRef, run: ClaimedRun, externalId: string
): Promise<Decision['action'] | 'invalid'> {
  const observedAt = new Date()
  let contact
  try {
    contact = await client.getContact(externalId)
  } catch (err) {
    if (err instanceof PsaPayloadError) return 'invalid'
    throw err
  }
  // decided under the contact's lock: a webhook may have changed it since the query
  const incoming: Incoming = contact === null
    ? { kind: 'delete', externalId, unlessChangedSince: run.startedAt }
    : { kind: 'rest', contact, observedAt }
  return (await applyIncoming(db, connection, incoming)).decision.action
}
