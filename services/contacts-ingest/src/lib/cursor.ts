import { badRequest } from '@m365/service-kit'

/** Keyset cursors: the sort values of a page's last item as base64url JSON. */
export function encodeCursor (values: readonly string[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url')
}

/** The cursor's `count` string values, or a 400 naming querystring/cursor. */
export function decodeCursor (cursor: string | undefined, count: number): string[] | undefined {
  if (cursor === undefined) return undefined
  let values: unknown
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {}
  if (!Array.isArray(values) || values.length !== count || !values.every((v) => typeof v === 'string')) {
    throw badRequest('querystring/cursor is not a cursor this list gave out')
  }
  return values as string[]
}

/** Rows fetched with limit + 1 → a page of items and the cursor of its last row. */
export function toPage<R, T> (rows: R[], limit: number, toItem: (row: R) => T, keyOf: (row: R) => string[]) {
  const more = rows.length > limit
  const pageRows = more ? rows.slice(0, limit) : rows
  const last = pageRows[pageRows.length - 1]
  return { items: pageRows.map(toItem), nextCursor: more && last !== undefined ? encodeCursor(keyOf(last)) : null }
}
