import { and, eq, inArray, sql } from 'drizzle-orm'
import type { AnyDb } from '@m365/db'
import { enqueueEvents } from '@m365/service-kit/outbox'
import { companyMappings, contacts, outbox, type PsaType } from '../db/schema.js'
import type { Decision } from './decide.js'
import { transition, type AnyEvent } from './events.js'
import type { ContactRow } from './state.js'

export interface ConnectionRef { id: string, psa: PsaType }

/** The client each of these companies maps to (absent: unmapped). */
export async function clientsOf (tx: AnyDb, connectionId: string, companyIds: ReadonlyArray<string | null>): Promise<Map<string, string>> {
  const ids = [...new Set(companyIds.filter((id): id is string => id !== null))]
  if (ids.length === 0) return new Map()
  const rows = await tx.select({ company: companyMappings.companyExternalId, client: companyMappings.clientId }).from(companyMappings)
    .where(and(eq(companyMappings.connectionId, connectionId), inArray(companyMappings.companyExternalId, ids)))
  return new Map(rows.map((r) => [r.company, r.client]))
}

export async function loadContacts (tx: AnyDb, connectionId: string, externalIds: readonly string[]): Promise<Map<string, ContactRow>> {
  if (externalIds.length === 0) return new Map()
  const rows = await tx.select().from(contacts)
    .where(and(eq(contacts.connectionId, connectionId), inArray(contacts.externalId, [...externalIds])))
  return new Map(rows.map((r) => [r.externalId, r]))
}

/**
 * What a decision makes of one contact (pure): its next row (undefined: unchanged) with the revision counted, and the
 * events for consumers. A touch moves only the ordering keys (no revision, no event).
 */
export function nextState (
  connection: ConnectionRef, externalId: string, row: ContactRow | undefined, decision: Decision, clients: Map<string, string>, now = new Date()
): { next: ContactRow | undefined, events: AnyEvent[] } {
  switch (decision.action) {
    case 'refetch':
    case 'none':
      return { next: undefined, events: [] }
    case 'touch':
      return { next: row && { ...row, ...decision.ordering }, events: [] }
    case 'write':
    case 'tombstone': {
      const state = decision.action === 'write'
        ? { ...decision.content, ...decision.ordering, deleted: false, deletedAt: null }
        : {
            ...decision.ordering,
            firstName: null,
            lastName: null,
            emails: [],
            phone: null,
            title: null,
            active: null,
            deleted: true,
            deletedAt: now
          }
      const base = row ?? emptyRow(connection, externalId)
      const next: ContactRow = { ...base, ...state, revision: base.revision + 1, changedAt: now }
      const target = next.companyExternalId === null ? null : clients.get(next.companyExternalId) ?? null
      const { clientId, events } = transition(next, row?.clientId ?? null, target)
      next.clientId = clientId
      return { next, events }
    }
  }
}

/** Writes whole contact rows (insert or replace), in one statement per 500. */
export async function upsertContacts (tx: AnyDb, rows: readonly ContactRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500)
    await tx.insert(contacts).values(chunk).onConflictDoUpdate({
      target: [contacts.connectionId, contacts.externalId],
      set: Object.fromEntries(Object.keys(chunk[0] as ContactRow).filter((k) => k !== 'connectionId' && k !== 'externalId')
        .map((k) => [k, sql.raw(`excluded.${snake(k)}`)]))
    })
  }
}

/**
 * Carries out a decision for one contact inside the caller's transaction (which holds its lock): writes the row,
 * counts the revision and puts the events for consumers into the outbox.
 */
export async function writeDecision (
  tx: AnyDb, connection: ConnectionRef, externalId: string, row: ContactRow | undefined, decision: Decision,
  clients: Map<string, string>
): Promise<AnyEvent[]> {
  if (decision.action === 'touch') {
    await tx.update(contacts).set(decision.ordering).where(and(eq(contacts.connectionId, connection.id), eq(contacts.externalId, externalId)))
    return []
  }
  const { next, events } = nextState(connection, externalId, row, decision, clients)
  if (!next) return []
  await upsertContacts(tx, [next])
  await enqueueEvents(tx, outbox, events)
  return events
}

function emptyRow (connection: ConnectionRef, externalId: string): ContactRow {
  return {
    connectionId: connection.id,
    externalId,
    psa: connection.psa,
    companyExternalId: null,
    companyName: null,
    firstName: null,
    lastName: null,
    emails: [],
    phone: null,
    title: null,
    active: null,
    psaUpdatedAt: null,
    sourceSeq: null,
    eventTime: null,
    deleted: false,
    deletedAt: null,
    revision: 0,
    clientId: null,
    changedAt: new Date(0),
    lastSeenRunId: null
  }
}

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
