export class QueryError extends Error {}

type Row = Record<string, unknown>
type Test = (row: Row) => boolean

const isoDate = /^\d{4}-\d{2}-\d{2}T/

/**
 * Autotask's query filter (specs/psa-webhooks.md §3.5): a non-empty list of conditions, all of which must hold;
 * `{op, field, value}` with eq noteq gt gte lt lte in notIn exist notExist beginsWith endsWith contains, and
 * groups `{op: "and"|"or", items: [...]}`. Field names are case-insensitive, so are string comparisons.
 */
export function compileFilter (filter: unknown): Test {
  if (!Array.isArray(filter) || filter.length === 0) throw new QueryError('filter is required and must be a non-empty array')
  const tests = filter.map(compileItem)
  return (row) => tests.every((t) => t(row))
}

function compileItem (item: unknown): Test {
  if (typeof item !== 'object' || item === null) throw new QueryError('a filter item must be an object')
  const { op, field, value, items } = item as { op?: unknown, field?: unknown, value?: unknown, items?: unknown }
  if (typeof op !== 'string') throw new QueryError('a filter item needs an op')
  const lower = op.toLowerCase()
  if (lower === 'and' || lower === 'or') {
    if (!Array.isArray(items) || items.length === 0) throw new QueryError(`"${op}" needs items`)
    const tests = items.map(compileItem)
    return lower === 'and' ? (row) => tests.every((t) => t(row)) : (row) => tests.some((t) => t(row))
  }
  if (typeof field !== 'string' || field === '') throw new QueryError(`"${op}" needs a field`)
  const get = (row: Row) => lookup(row, field)
  switch (lower) {
    case 'eq': return (row) => cmp(get(row), value) === 0
    case 'noteq': return (row) => cmp(get(row), value) !== 0
    case 'gt': return (row) => cmp(get(row), value) > 0
    case 'gte': return (row) => cmp(get(row), value) >= 0
    case 'lt': return (row) => cmp(get(row), value) < 0
    case 'lte': return (row) => cmp(get(row), value) <= 0
    case 'in':
    case 'notin': {
      if (!Array.isArray(value)) throw new QueryError(`"${op}" needs an array value`)
      const has = (row: Row) => value.some((v) => cmp(get(row), v) === 0)
      return lower === 'in' ? has : (row) => !has(row)
    }
    case 'exist': return (row) => present(get(row))
    case 'notexist': return (row) => !present(get(row))
    case 'beginswith': return (row) => text(get(row)).startsWith(text(value))
    case 'endswith': return (row) => text(get(row)).endsWith(text(value))
    case 'contains': return (row) => text(get(row)).includes(text(value))
    default: throw new QueryError(`unknown op "${op}"`)
  }
}

function lookup (row: Row, field: string): unknown {
  if (field in row) return row[field]
  const key = Object.keys(row).find((k) => k.toLowerCase() === field.toLowerCase())
  if (key === undefined) throw new QueryError(`unknown field "${field}"`)
  return row[key]
}

const present = (v: unknown) => v !== null && v !== undefined && v !== ''
const text = (v: unknown) => (v === null || v === undefined ? '' : String(v)).toLowerCase()

/** NaN-safe three-way compare; numbers as numbers, ISO dates as instants, strings case-insensitively. */
function cmp (a: unknown, b: unknown): number {
  if (a === null || a === undefined) return b === null || b === undefined ? 0 : Number.NaN
  if (typeof a === 'number') return a - Number(b)
  if (typeof a === 'boolean') return Number(a) - Number(b === true || b === 'true' || b === 1)
  if (typeof a === 'string' && isoDate.test(a) && typeof b === 'string' && /^\d{4}-\d{2}-\d{2}/.test(b)) return Date.parse(a) - Date.parse(b)
  return text(a).localeCompare(text(b))
}
