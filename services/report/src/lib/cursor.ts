import { badRequest } from '@m365/service-kit'

/** Keyset cursors: the sort values of the last item of a page, as base64url JSON. */
export function encodeCursor (values: ReadonlyArray<string | number>): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url')
}

/** The cursor's values when they match `kinds` (one 'string' or 'number' per sort value); else 400. */
export function decodeCursor<K extends ReadonlyArray<'string' | 'number'>> (
  cursor: string | undefined, kinds: K
): { [I in keyof K]: K[I] extends 'number' ? number : string } | undefined {
  if (cursor === undefined) return undefined
  let values: unknown
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    values = undefined
  }
  const valid = Array.isArray(values) && values.length === kinds.length &&
    values.every((value, i) => kinds[i] === 'number' ? Number.isSafeInteger(value) : typeof value === 'string')
  if (!valid) throw badRequest('querystring/cursor is not a cursor this list gave out')
  return values as never
}

/** Splits a page fetched with limit + 1 rows into items and the next cursor. */
export function toPage<R, T> (rows: R[], limit: number, toItem: (row: R) => T, keyOf: (row: R) => ReadonlyArray<string | number>) {
  const more = rows.length > limit
  const pageRows = more ? rows.slice(0, limit) : rows
  const last = pageRows[pageRows.length - 1]
  return {
    items: pageRows.map(toItem),
    nextCursor: more && last !== undefined ? encodeCursor(keyOf(last)) : null
  }
}
