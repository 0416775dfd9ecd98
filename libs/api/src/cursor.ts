/** A cursor that no list gave out: 400 naming the field (service-kit's error handler sends it as problem+json). */
export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError'
  readonly statusCode = 400
  readonly code = 'VALIDATION_FAILED'
  constructor () {
    super('querystring/cursor is not a cursor this list gave out')
  }
}

type Kinds = ReadonlyArray<'string' | 'number'>
type Values<K extends Kinds> = { [I in keyof K]: K[I] extends 'number' ? number : string }

/** Keyset cursors: the sort values of the last item of a page, as base64url JSON. */
export function encodeCursor (values: ReadonlyArray<string | number>): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url')
}

/**
 * The cursor's sort values when they match `kinds` (one 'string' or 'number' per value; a count means that
 * many strings), undefined without a cursor; else InvalidCursorError (400).
 */
export function decodeCursor<const K extends Kinds> (cursor: string | undefined, kinds: K): Values<K> | undefined
export function decodeCursor (cursor: string | undefined, count: number): string[] | undefined
export function decodeCursor (cursor: string | undefined, kinds: Kinds | number): Array<string | number> | undefined {
  if (cursor === undefined) return undefined
  const expected: Kinds = typeof kinds === 'number' ? Array.from({ length: kinds }, () => 'string' as const) : kinds
  let values: unknown
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    values = undefined
  }
  const valid = Array.isArray(values) && values.length === expected.length &&
    values.every((value, i) => expected[i] === 'number' ? Number.isSafeInteger(value) : typeof value === 'string')
  if (!valid) throw new InvalidCursorError()
  return values as Array<string | number>
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
