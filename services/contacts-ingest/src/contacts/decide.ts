import type { NormalizedContact } from '@m365/psa'
import {
  compareOrder, contentOf, contentOfRow, orderOf, orderOfRow, patchContent, sameContent, toDate,
  type ContactContent, type ContactRow
} from './state.js'

/** A contact state reaching us, and how far we can trust it. */
export type Incoming =
  /** a full contact from the PSA's REST API (refetch or backfill): proof that it exists as of observedAt */
  | { kind: 'rest', contact: NormalizedContact, observedAt: Date }
  /** a full contact from a webhook body (ConnectWise Entity): a hint, it cannot revive a tombstone */
  | { kind: 'webhook', contact: NormalizedContact }
  /** the fields an Autotask webhook carried */
  | { kind: 'partial', contact: NormalizedContact }
  | {
    kind: 'delete'
    externalId: string
    seq?: number | undefined
    eventTime?: string | undefined
    /** reconciliation: leave the contact alone if it changed at or after this (a webhook got there first) */
    unlessChangedSince?: Date
  }

export interface Ordering { psaUpdatedAt: Date | null, sourceSeq: number | null, eventTime: Date | null }

export type Decision =
  | { action: 'write', outcome: 'created' | 'updated', content: ContactContent, ordering: Ordering }
  /** same content; the ordering keys move forward */
  | { action: 'touch', outcome: 'unchanged', ordering: Ordering }
  | { action: 'tombstone', outcome: 'deleted', ordering: Ordering }
  | { action: 'none', outcome: 'unchanged' | 'stale' | 'already-deleted' }
  /** the webhook alone cannot settle it: fetch the contact from the PSA */
  | { action: 'refetch', reason: string }

const maxNum = (a: number | null, b: number | null | undefined) => (a === null ? b ?? null : b == null ? a : Math.max(a, b))
const maxDate = (a: Date | null, b: Date | null) => (a === null ? b : b === null ? a : a > b ? a : b)

function ordering (row: ContactRow | undefined, c: NormalizedContact, content: ContactContent): Ordering {
  return {
    psaUpdatedAt: content.psaUpdatedAt,
    sourceSeq: maxNum(row?.sourceSeq ?? null, c.sourceEvent?.seq),
    eventTime: maxDate(row?.eventTime ?? null, toDate(c.sourceEvent?.eventTime))
  }
}

function sameOrdering (row: ContactRow, o: Ordering): boolean {
  return row.sourceSeq === o.sourceSeq && row.eventTime?.getTime() === o.eventTime?.getTime() &&
    row.psaUpdatedAt?.getTime() === o.psaUpdatedAt?.getTime()
}

/** Replace a live row with `content` when it differs; otherwise at most move the ordering keys. */
function replace (row: ContactRow, c: NormalizedContact, content: ContactContent): Decision {
  const next = ordering(row, c, content)
  if (!sameContent(contentOfRow(row), content)) return { action: 'write', outcome: 'updated', content, ordering: next }
  return sameOrdering(row, next) ? { action: 'none', outcome: 'unchanged' } : { action: 'touch', outcome: 'unchanged', ordering: next }
}

/**
 * What to do with an incoming state given the stored row (specs/psa-webhooks.md §1.4, §6 merging rule):
 * older than what we hold → dropped; deletes → tombstones; a tombstone comes back only with REST data observed
 * after it was written (so a late update cannot resurrect a contact); where a webhook cannot settle it, refetch.
 */
export function decide (row: ContactRow | undefined, incoming: Incoming): Decision {
  if (incoming.kind === 'delete') {
    if (row?.deleted) return { action: 'none', outcome: 'already-deleted' }
    if (row && incoming.unlessChangedSince && row.changedAt >= incoming.unlessChangedSince) return { action: 'none', outcome: 'unchanged' }
    return {
      action: 'tombstone',
      outcome: 'deleted',
      ordering: {
        psaUpdatedAt: row?.psaUpdatedAt ?? null,
        sourceSeq: maxNum(row?.sourceSeq ?? null, incoming.seq),
        eventTime: maxDate(row?.eventTime ?? null, toDate(incoming.eventTime))
      }
    }
  }
  const c = incoming.contact
  if (incoming.kind === 'rest') {
    const content = contentOf(c)
    if (!row) return { action: 'write', outcome: 'created', content, ordering: ordering(row, c, content) }
    if (row.deleted) {
      const afterTombstone = row.deletedAt === null || incoming.observedAt > row.deletedAt
      return afterTombstone
        ? { action: 'write', outcome: 'created', content, ordering: ordering(row, c, content) }
        : { action: 'none', outcome: 'stale' }
    }
    // REST is the PSA's truth when observed: only a state we know to be newer wins over it
    if (compareOrder(orderOf(c), orderOfRow(row, c)) === -1) return { action: 'none', outcome: 'stale' }
    return replace(row, c, content)
  }
  if (incoming.kind === 'webhook') {
    const content = contentOf(c)
    if (!row) return { action: 'write', outcome: 'created', content, ordering: ordering(row, c, content) }
    if (row.deleted) return { action: 'refetch', reason: 'update for a tombstoned contact: only the PSA can say it exists' }
    const cmp = compareOrder(orderOf(c), orderOfRow(row, c))
    if (cmp === 1) return replace(row, c, content)
    if (cmp === -1) return { action: 'none', outcome: 'stale' }
    if (sameContent(contentOfRow(row), content)) return { action: 'none', outcome: 'unchanged' }
    return { action: 'refetch', reason: cmp === 0 ? 'same timestamp, different content' : 'nothing to order the update by' }
  }
  // Autotask's partial Fields
  if (!row) return { action: 'refetch', reason: 'partial update of a contact we do not hold' }
  if (row.deleted) return { action: 'refetch', reason: 'update for a tombstoned contact: only the PSA can say it exists' }
  const content = patchContent(contentOfRow(row), c)
  const cmp = compareOrder(orderOf(c), orderOfRow(row, c))
  if (cmp === 1) return replace(row, c, content)
  const changes = !sameContent(contentOfRow(row), content)
  // an older patch may carry fields the newer one did not: the PSA knows their current value
  if (changes) return { action: 'refetch', reason: 'older partial update that disagrees with what we hold' }
  return { action: 'none', outcome: cmp === -1 ? 'stale' : 'unchanged' }
}
