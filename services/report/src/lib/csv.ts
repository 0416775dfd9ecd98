import type { CellValue } from '@m365/api'

// A cell starting with one of these is run as a formula by spreadsheet programs (OWASP "CSV injection").
const FORMULA_START = /^[=+\-@\t\r]/

/**
 * One RFC 4180 field: lists joined by "; ", null empty, text that could start a formula prefixed with
 * a single quote, and quoted (quotes doubled) when it holds a comma, quote or line break, or a semicolon:
 * Excel where ';' is the list separator (most of Europe) splits there, and the rest, say '=cmd|…', would
 * be a cell of its own (OWASP CSV injection: mind the field separators too).
 */
export function csvField (value: CellValue | undefined): string {
  if (value === null || value === undefined) return ''
  let text = Array.isArray(value) ? value.join('; ') : String(value)
  if (typeof value !== 'number' && typeof value !== 'boolean' && FORMULA_START.test(text)) text = `'${text}`
  return /[",;\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/** A CSV record with its CRLF line break. */
export const csvRecord = (values: ReadonlyArray<CellValue | undefined>): string => `${values.map(csvField).join(',')}\r\n`
