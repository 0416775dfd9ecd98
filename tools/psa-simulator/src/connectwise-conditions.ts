import type { SimContact } from './model.js'
import { cwTime } from './shapes/connectwise.js'

export class ConditionError extends Error {}

type Value = number | string | boolean | null | Value[]

const fields: Record<string, (c: SimContact) => number | string | boolean> = {
  id: (c) => c.id,
  'company/id': (c) => c.company.id,
  firstname: (c) => c.firstName.toLowerCase(),
  lastname: (c) => c.lastName.toLowerCase(),
  inactiveflag: (c) => !c.active,
  lastupdated: (c) => Date.parse(cwTime(c.updatedAt)),
  '_info/lastupdated': (c) => Date.parse(cwTime(c.updatedAt))
}

const clausePattern = /^([A-Za-z_/]+)\s*(!=|<=|>=|=|<|>|\s+not\s+in\b|\s+in\b|\s+like\b|\s+contains\b)\s*(.+)$/i

/**
 * The subset of ConnectWise's `conditions` syntax the simulator understands: clauses joined by `and`,
 * `field op value` with = != < <= > >= in, not in, like (* wildcard), contains; values as numbers, true/false,
 * null, "strings", [dates] and (lists). Fields: id, company/id, firstName, lastName, inactiveFlag, lastUpdated.
 */
export function parseConditions (conditions: string | undefined): (c: SimContact) => boolean {
  if (conditions === undefined || conditions.trim() === '') return () => true
  const tests = splitAnd(conditions).map(parseClause)
  return (c) => tests.every((test) => test(c))
}

function splitAnd (text: string): string[] {
  const parts: string[] = []
  let depth = 0
  let quoted = false
  let start = 0
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (ch === '"') quoted = !quoted
    else if (!quoted && (ch === '(' || ch === '[')) depth++
    else if (!quoted && (ch === ')' || ch === ']')) depth--
    else if (!quoted && depth === 0) {
      const and = /^\s+and\s+/i.exec(text.slice(i))
      if (and) {
        parts.push(text.slice(start, i))
        i += and[0].length - 1
        start = i + 1
      }
    }
  }
  parts.push(text.slice(start))
  return parts.map((p) => p.trim())
}

function parseClause (clause: string): (c: SimContact) => boolean {
  const match = clausePattern.exec(clause)
  if (!match) throw new ConditionError(`cannot parse condition "${clause}"`)
  const [, rawField, rawOp, rawValue] = match as unknown as [string, string, string, string]
  const get = fields[rawField.toLowerCase()]
  if (!get) throw new ConditionError(`unknown field "${rawField}"`)
  const op = rawOp.trim().toLowerCase().replace(/\s+/g, ' ')
  const value = parseValue(rawValue.trim())
  const scalar = (v: Value) => typeof v === 'string' ? v.toLowerCase() : v
  switch (op) {
    case '=': return (c) => get(c) === scalar(value)
    case '!=': return (c) => get(c) !== scalar(value)
    case '<': return (c) => compare(get(c), value) < 0
    case '<=': return (c) => compare(get(c), value) <= 0
    case '>': return (c) => compare(get(c), value) > 0
    case '>=': return (c) => compare(get(c), value) >= 0
    case 'in':
    case 'not in': {
      if (!Array.isArray(value)) throw new ConditionError(`"${op}" needs a (list)`)
      const set = new Set(value.map(scalar))
      return op === 'in' ? (c) => set.has(get(c)) : (c) => !set.has(get(c))
    }
    case 'like': {
      const pattern = new RegExp(`^${String(value).replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i')
      return (c) => pattern.test(String(get(c)))
    }
    default: return (c) => String(get(c)).includes(String(scalar(value)))
  }
}

function compare (a: number | string | boolean, b: Value): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b
  return String(a).localeCompare(String(typeof b === 'string' ? b.toLowerCase() : b))
}

function parseValue (text: string): Value {
  if (text.startsWith('[') && text.endsWith(']')) {
    const at = Date.parse(text.slice(1, -1))
    if (Number.isNaN(at)) throw new ConditionError(`bad date ${text}`)
    return at
  }
  if (text.startsWith('(') && text.endsWith(')')) {
    return text.slice(1, -1).split(',').map((part) => parseValue(part.trim())) as Value[]
  }
  if (text.startsWith('"') && text.endsWith('"')) return text.slice(1, -1)
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text)
  if (/^(true|false)$/i.test(text)) return text.toLowerCase() === 'true'
  if (/^null$/i.test(text)) return null
  throw new ConditionError(`cannot read value ${text}`)
}
