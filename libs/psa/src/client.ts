import type { NormaliseContext, NormalizedContact } from './contact.js'
import { PsaPayloadError } from './validation.js'

export interface ListContactsOptions {
  /** only contacts of these PSA companies (CW company id, AT companyID, Halo client_id); default all */
  companyIds?: ReadonlyArray<string | number>
  /** only contacts changed since (where the PSA can filter; Halo cannot: full pull) */
  updatedSince?: string | Date
  /** records per request; each PSA has its own maximum */
  pageSize?: number
  /** stop after this many pages (a guard against a PSA that never ends); default 100 000 */
  maxPages?: number
}

export interface ContactPage {
  /** 1-based across the whole listing */
  page: number
  contacts: NormalizedContact[]
  /** records the PSA sent that do not validate (skipped, so one bad record does not stop a backfill) */
  invalid: PsaPayloadError[]
}

/** What contacts-ingest needs from a PSA for refetch and backfill. */
export interface PsaContactClient {
  /** One contact; null when the PSA says it does not exist (deleted). */
  getContact (id: string | number): Promise<NormalizedContact | null>
  /** All (or some companies') contacts, page by page as the PSA pages them. */
  listContacts (options?: ListContactsOptions): AsyncGenerator<ContactPage, void, undefined>
}

/** Validates and normalises one page of raw records, collecting the invalid ones. */
export function toPage<T> (
  page: number, items: readonly unknown[], field: string,
  parse: (item: unknown, field: string) => T, normalise: (item: T, ctx?: NormaliseContext) => NormalizedContact,
  ctx: NormaliseContext
): ContactPage {
  const contacts: NormalizedContact[] = []
  const invalid: PsaPayloadError[] = []
  items.forEach((item, index) => {
    try {
      contacts.push(normalise(parse(item, `${field}[${index}]`), ctx))
    } catch (err) {
      if (!(err instanceof PsaPayloadError)) throw err
      invalid.push(err)
    }
  })
  return { page, contacts, invalid }
}

export function isoDate (value: string | Date): string {
  return (typeof value === 'string' ? new Date(value) : value).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/** Ids in chunks, so a filter never grows without bound. */
export function chunks<T> (values: readonly T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size))
  return out
}

export function positiveInt (value: string | number, what: string): number {
  const n = typeof value === 'number' ? value : Number(value)
  if (!Number.isSafeInteger(n) || n <= 0) throw new TypeError(`${what} must be a positive integer, got ${String(value)}`)
  return n
}
