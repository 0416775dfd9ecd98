import { badRequest } from './errors.js'

/** Keyset cursors: the sort values of the last item of a page, as base64url JSON. */
export function encodeCursor (values: readonly string[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url')
}

/** The cursor's string values when there are `count` of them; else 400 naming the field. */
export function decodeCursor (cursor: string | undefined, count: number): string[] | undefined {
  if (cursor === undefined) return undefined
  let values: unknown
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    values = undefined
  }
  if (!Array.isArray(values) || values.length !== count || !values.every((v) => typeof v === 'string')) {
    throw badRequest('querystring/cursor is not a cursor this list gave out')
  }
  return values as string[]
}
