import '@m365/contracts' // registers the schema formats: the 'uuid' one checks a cursor's ids as the schemas check a path's
import { FormatRegistry } from '@sinclair/typebox'

/** A cursor that no list gave out: 400 naming the field (service-kit's error handler sends it as problem+json). */
export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError'
  readonly statusCode = 400
  readonly code = 'VALIDATION_FAILED'
  constructor () {
    super('querystring/cursor is not a cursor this list gave out')
  }
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/

const isUuid = FormatRegistry.Get('uuid')!

/**
 * What a sort value must be for the query it goes into: a cursor is the caller's input, and a value
 * the column's type refuses (a uuid that is not one, an int4 out of range, a NUL in text) would make
 * Postgres fail the read with a 500 instead of the 400 it deserves.
 */
const KIND_CHECKS = {
  /** Free text sort keys (names); Postgres text holds no NUL. */
  text: (value: unknown) => typeof value === 'string' && value.length <= 1_000 && !value.includes('\u0000'),
  uuid: (value: unknown) => typeof value === 'string' && isUuid(value),
  /** As encodeCursor got it from Date.toISOString(). */
  timestamp: (value: unknown) => typeof value === 'string' && ISO_INSTANT.test(value) && !Number.isNaN(Date.parse(value)),
  /** An int4 column. */
  int: (value: unknown) => Number.isInteger(value) && (value as number) >= -2_147_483_648 && (value as number) <= 2_147_483_647
} satisfies Record<string, (value: unknown) => boolean>

export type CursorKind = keyof typeof KIND_CHECKS
type Kinds = readonly CursorKind[]
type Values<K extends Kinds> = { [I in keyof K]: K[I] extends 'int' ? number : string }

/** Keyset cursors: the sort values of the last item of a page, as base64url JSON. */
export function encodeCursor (values: ReadonlyArray<string | number>): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url')
}

/** The cursor's sort values when they are of `kinds`, one per value; undefined without a cursor; else InvalidCursorError (400). */
export function decodeCursor<const K extends Kinds> (cursor: string | undefined, kinds: K): Values<K> | undefined {
  if (cursor === undefined) return undefined
  let values: unknown
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    values = undefined
  }
  const valid = Array.isArray(values) && values.length === kinds.length && values.every((value, i) => KIND_CHECKS[kinds[i]!](value))
  if (!valid) throw new InvalidCursorError()
  return values as Values<K>
}

/** A page from rows fetched with limit + 1: the items, and the cursor of the last one when there are more. */
export function toPage<R, T> (rows: R[], limit: number, toItem: (row: R) => T, keyOf: (row: R) => ReadonlyArray<string | number>) {
  const more = rows.length > limit
  const pageRows = more ? rows.slice(0, limit) : rows
  const last = pageRows[pageRows.length - 1]
  return {
    items: pageRows.map(toItem),
    nextCursor: more && last !== undefined ? encodeCursor(keyOf(last)) : null
  }
}
