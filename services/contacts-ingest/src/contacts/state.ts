import type { ContactField, NormalizedContact } from '@m365/psa'
import type { contacts, StoredEmail } from '../db/schema.js'

export type ContactRow = typeof contacts.$inferSelect

/** What we hold about a contact (and publish), besides ids and bookkeeping. */
export interface ContactContent {
  companyExternalId: string | null
  companyName: string | null
  firstName: string | null
  lastName: string | null
  emails: StoredEmail[]
  phone: string | null
  title: string | null
  active: boolean | null
  psaUpdatedAt: Date | null
}

/** Where a state sits in the PSA's order of changes: its timestamp and (Autotask) sequence number. */
export interface Order { time: number | null, seq: number | null }

const CONTENT_KEYS = [
  'companyExternalId', 'companyName', 'firstName', 'lastName', 'emails', 'phone', 'title', 'active', 'psaUpdatedAt'
] as const satisfies ReadonlyArray<keyof ContactContent>

const FIELD_KEYS: Record<ContactField, Array<keyof ContactContent>> = {
  firstName: ['firstName'],
  lastName: ['lastName'],
  emails: ['emails'],
  phone: ['phone'],
  title: ['title'],
  companyExternalId: ['companyExternalId'],
  companyName: ['companyName'],
  active: ['active'],
  updatedAt: ['psaUpdatedAt']
}

export const toDate = (iso: string | null | undefined): Date | null => (iso ? new Date(iso) : null)

export function contentOf (c: NormalizedContact): ContactContent {
  return {
    companyExternalId: c.companyExternalId,
    companyName: c.companyName,
    firstName: c.firstName,
    lastName: c.lastName,
    emails: c.emails.map((e) => ({ address: e.address, primary: e.primary, sourceField: e.sourceField })),
    phone: c.phone,
    title: c.title,
    active: c.active,
    psaUpdatedAt: toDate(c.updatedAt)
  }
}

export function contentOfRow (row: ContactRow): ContactContent {
  return Object.fromEntries(CONTENT_KEYS.map((key) => [key, row[key]])) as unknown as ContactContent
}

/** `base` with the fields a partial (Autotask) contact carried. */
export function patchContent (base: ContactContent, partial: NormalizedContact): ContactContent {
  const next = { ...base }
  const incoming = contentOf(partial)
  for (const field of partial.presentFields ?? []) {
    for (const key of FIELD_KEYS[field]) (next as Record<string, unknown>)[key] = incoming[key]
  }
  return next
}

export function sameContent (a: ContactContent, b: ContactContent): boolean {
  return CONTENT_KEYS.every((key) => {
    const x = a[key]
    const y = b[key]
    if (x instanceof Date || y instanceof Date) return (x as Date | null)?.getTime() === (y as Date | null)?.getTime()
    if (key === 'emails') return JSON.stringify(x) === JSON.stringify(y)
    return x === y
  })
}

/**
 * The row's order, measured as `incoming` is. With the PSA's timestamp on both sides, that timestamp. Without
 * one on the incoming side (an Autotask partial whose Fields lack lastModifiedDate), its EventTime meets the
 * latest point we know the row reflects: the EventTime of the last delivery applied, or the PSA's timestamp
 * when a refetch or backfill is newer (or no delivery was applied yet). psaUpdatedAt alone would lag behind
 * the partials applied since, and a late, older one would win over them (specs/psa-webhooks.md §3.4).
 */
export function orderOfRow (row: Pick<ContactRow, 'psaUpdatedAt' | 'eventTime' | 'sourceSeq'>, incoming: NormalizedContact): Order {
  const psaTime = row.psaUpdatedAt?.getTime() ?? null
  const eventTime = row.eventTime?.getTime() ?? null
  const seq = row.sourceSeq ?? null
  if (incoming.updatedAt || psaTime === null || eventTime === null) return { time: psaTime ?? eventTime, seq }
  return { time: Math.max(psaTime, eventTime), seq }
}

export function orderOf (c: NormalizedContact): Order {
  const time = c.updatedAt ?? c.sourceEvent?.eventTime ?? null
  return { time: time === null ? null : new Date(time).getTime(), seq: c.sourceEvent?.seq ?? null }
}

/**
 * 1 when `s` is newer than `r`, -1 when older, 0 when they are the same point, null when nothing compares.
 * The PSA's timestamp decides first; Autotask's sequence number breaks ties (and serves when a time is missing).
 */
export function compareOrder (s: Order, r: Order): 1 | 0 | -1 | null {
  if (s.time !== null && r.time !== null && s.time !== r.time) return s.time > r.time ? 1 : -1
  if (s.seq !== null && r.seq !== null && s.seq !== r.seq) return s.seq > r.seq ? 1 : -1
  if ((s.time !== null && r.time !== null) || (s.seq !== null && r.seq !== null)) return 0
  return null
}
