/** PSA systems the normalised model knows (specs/psa-webhooks.md §6). */
export type PsaKind = 'connectwise' | 'autotask' | 'halopsa' | 'syncro' | 'kaseya_bms'

export type ContactAction = 'create' | 'update' | 'delete'

export interface ContactEmail {
  /** trimmed and lower-cased */
  address: string
  primary: boolean
  /** where it came from, e.g. `emailAddress2` or `communicationItems[3]` */
  sourceField: string
}

/** Keys of a NormalizedContact that a partial (Autotask `Fields`) record can carry. */
export type ContactField =
  'firstName' | 'lastName' | 'emails' | 'phone' | 'title' | 'companyExternalId' | 'companyName' | 'active' | 'updatedAt'

export interface SourceEvent {
  /** idempotency key of the delivery when the PSA gives one (CW MessageId, AT Guid:Id:SequenceNumber) */
  id?: string
  seq?: number
  /** when the PSA says the event happened (AT EventTime), ISO-8601 UTC */
  eventTime?: string
  receivedAt: string
  action: ContactAction
}

/** One PSA contact in the shared model (specs/psa-webhooks.md §6). */
export interface NormalizedContact {
  psa: PsaKind
  /** CW companyId@site, AT zone+integration user, Halo host: whatever the caller routes by */
  tenantKey: string
  externalId: string
  companyExternalId: string | null
  companyName: string | null
  firstName: string | null
  lastName: string | null
  /** trimmed, lower-cased, de-duplicated; exactly one primary if any, primary first */
  emails: ContactEmail[]
  phone: string | null
  title: string | null
  /** null = not present in a partial webhook */
  active: boolean | null
  /** ISO-8601 UTC from the PSA record */
  updatedAt: string | null
  deleted: boolean
  /** true when built from an Autotask `Fields` subset: patch only `presentFields` */
  partial: boolean
  /** for a partial contact: which fields the PSA sent (everything else is unknown, not empty) */
  presentFields?: ContactField[]
  sourceEvent?: SourceEvent
}

/** What every normaliser needs from the caller. */
export interface NormaliseContext {
  tenantKey?: string
  /** defaults to now */
  receivedAt?: string
}

export interface EmailCandidate {
  address: unknown
  primary: boolean
  sourceField: string
}

/**
 * Trims, lower-cases and de-duplicates addresses; drops empty values and anything without an `@`.
 * Exactly one address is primary (the first flagged one, else the first one) and it comes first.
 */
export function normaliseEmails (candidates: readonly EmailCandidate[]): ContactEmail[] {
  const byAddress = new Map<string, ContactEmail>()
  for (const candidate of candidates) {
    if (typeof candidate.address !== 'string') continue
    const address = withoutNul(candidate.address).trim().toLowerCase()
    if (address.length < 3 || !address.includes('@')) continue
    const seen = byAddress.get(address)
    if (seen) {
      if (candidate.primary && !seen.primary) {
        seen.primary = true
        seen.sourceField = candidate.sourceField
      }
      continue
    }
    byAddress.set(address, { address, primary: candidate.primary, sourceField: candidate.sourceField })
  }
  const emails = [...byAddress.values()]
  const primaryIndex = Math.max(0, emails.findIndex((email) => email.primary))
  const result = emails.map((email, index) => ({ ...email, primary: index === primaryIndex }))
  const [primary] = result.splice(primaryIndex, 1)
  return primary ? [primary, ...result] : result
}

const hasZone = /(?:[zZ]|[+-]\d{2}:?\d{2})$/

/**
 * A PSA timestamp as ISO-8601 UTC, or null when missing or unparseable.
 * Timestamps without an offset are taken as UTC (Halo sends them that way).
 */
export function toIsoUtc (value: unknown): string | null {
  if (typeof value !== 'string' || value.trim() === '') return null
  const text = value.trim()
  const date = new Date(hasZone.test(text) || !text.includes('T') ? text : `${text}Z`)
  return Number.isNaN(date.getTime()) ? null : date.toISOString()
}

/** A trimmed non-empty string or null; without U+0000, which Postgres cannot store (one such field would fail every try). */
export function text (value: unknown): string | null {
  if (typeof value === 'number') return String(value)
  if (typeof value !== 'string') return null
  const trimmed = withoutNul(value).trim()
  return trimmed === '' ? null : trimmed
}

function withoutNul (value: string): string {
  return value.includes('\u0000') ? value.replaceAll('\u0000', '') : value
}

/** An id as string, or null. */
export function idString (value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  return text(value)
}

export function receivedAt (ctx: NormaliseContext | undefined): string {
  return ctx?.receivedAt ?? new Date().toISOString()
}

/** A deleted contact known only by its id: what a delete webhook without the record gives. */
export function contactTombstone (psa: PsaKind, externalId: string, ctx: NormaliseContext | undefined): NormalizedContact {
  return {
    psa,
    tenantKey: ctx?.tenantKey ?? '',
    externalId,
    companyExternalId: null,
    companyName: null,
    firstName: null,
    lastName: null,
    emails: [],
    phone: null,
    title: null,
    active: null,
    updatedAt: null,
    deleted: true,
    partial: false
  }
}
