import { Errors } from './errors.js'

/**
 * The $filter subset Entra supports on the collections we serve: eq/ne/ge/le/gt/lt, in, and/or/not,
 * startsWith/endsWith, and `any` lambdas on collections (assignedLicenses/any(x:x/skuId eq …),
 * proxyAddresses/any(x:x eq '…'), methodsRegistered/any(m:m eq '…')). String compares ignore case,
 * as the directory's do.
 */
type Literal = string | number | boolean | null
type Expr =
  | { k: 'bool', op: 'and' | 'or', l: Expr, r: Expr }
  | { k: 'not', e: Expr }
  | { k: 'cmp', op: 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le', path: string[], v: Literal }
  | { k: 'in', path: string[], vs: Literal[] }
  | { k: 'fn', fn: 'startswith' | 'endswith', path: string[], v: string }
  | { k: 'any', path: string[], inner: Expr | null }

export interface ParsedFilter {
  test: (obj: Record<string, unknown>) => boolean
  /** uses operators Entra only serves as advanced queries (ConsistencyLevel: eventual + $count=true) */
  advanced: boolean
  /** `id eq '…'` values when the filter is only a disjunction of those (delta allows just that) */
  idsOnly?: string[]
}

const TOKEN = /\s*(?:(\()|(\))|(,)|(:)|('(?:[^']|'')*')|([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})|(\d{4}-\d\d-\d\dT[\d:.]+Z?)|(-?\d+(?:\.\d+)?)|([A-Za-z_$][\w$]*(?:\/[A-Za-z_$][\w$]*)*))/y

function tokenize (src: string): string[] {
  const out: string[] = []
  TOKEN.lastIndex = 0
  while (TOKEN.lastIndex < src.length) {
    if (/^\s*$/.test(src.slice(TOKEN.lastIndex))) break
    const m = TOKEN.exec(src)
    if (!m) throw Errors.badRequest(`Invalid filter clause: syntax error at position ${TOKEN.lastIndex} in '${src}'.`)
    out.push(m[0].trim())
  }
  return out
}

export function parseFilter (src: string, known: ReadonlySet<string>, type: string): ParsedFilter {
  const toks = tokenize(src)
  let i = 0
  let advanced = false
  let lambdaVar: string | undefined
  const peek = () => toks[i]
  const next = () => {
    const t = toks[i++]
    if (t === undefined) throw Errors.badRequest(`Invalid filter clause: unexpected end of '${src}'.`)
    return t
  }
  const expect = (t: string) => { if (next() !== t) throw Errors.badRequest(`Invalid filter clause: expected '${t}' in '${src}'.`) }
  const literal = (t: string): Literal => {
    if (t.startsWith("'")) return t.slice(1, -1).replaceAll("''", "'")
    if (t === 'true' || t === 'false') return t === 'true'
    if (t === 'null') return null
    if (/^-?\d/.test(t) && !/[-T]/.test(t.slice(1))) return Number(t)
    return t // GUIDs and dates compare as strings
  }
  const path = (t: string): string[] => {
    const parts = t.split('/')
    if (lambdaVar && parts[0] === lambdaVar) return parts.slice(1)
    if (!known.has(parts[0]!)) throw Errors.noProperty(parts[0]!, type)
    return parts
  }

  const primary = (): Expr => {
    const t = next()
    if (t === '(') {
      const e = orExpr()
      expect(')')
      return e
    }
    if (t.toLowerCase() === 'not') {
      advanced = true
      return { k: 'not', e: primary() }
    }
    const lower = t.toLowerCase()
    if ((lower === 'startswith' || lower === 'endswith') && peek() === '(') {
      if (lower === 'endswith') advanced = true
      expect('(')
      const p = path(next())
      expect(',')
      const v = literal(next())
      expect(')')
      return { k: 'fn', fn: lower, path: p, v: String(v) }
    }
    const slash = t.lastIndexOf('/')
    if (slash > 0 && /^(any|all)$/i.test(t.slice(slash + 1)) && peek() === '(') {
      const p = path(t.slice(0, slash))
      expect('(')
      if (peek() === ')') {
        next()
        return { k: 'any', path: p, inner: null }
      }
      const outer = lambdaVar
      lambdaVar = next()
      expect(':')
      const inner = orExpr()
      lambdaVar = outer
      expect(')')
      return { k: 'any', path: p, inner }
    }
    const p = path(t)
    const op = next().toLowerCase()
    if (op === 'in') {
      expect('(')
      const vs: Literal[] = []
      while (peek() !== ')') {
        vs.push(literal(next()))
        if (peek() === ',') next()
      }
      expect(')')
      return { k: 'in', path: p, vs }
    }
    if (!['eq', 'ne', 'gt', 'ge', 'lt', 'le'].includes(op)) throw Errors.badRequest(`Invalid filter clause: unknown operator '${op}'.`)
    if (op === 'ne') advanced = true
    return { k: 'cmp', op: op as 'eq', path: p, v: literal(next()) }
  }
  const andExpr = (): Expr => {
    let l = primary()
    while (peek()?.toLowerCase() === 'and') { next(); l = { k: 'bool', op: 'and', l, r: primary() } }
    return l
  }
  const orExpr = (): Expr => {
    let l = andExpr()
    while (peek()?.toLowerCase() === 'or') { next(); l = { k: 'bool', op: 'or', l, r: andExpr() } }
    return l
  }

  const root = orExpr()
  if (i < toks.length) throw Errors.badRequest(`Invalid filter clause: unexpected '${toks[i]}' in '${src}'.`)
  const ids = idDisjunction(root)
  return { test: (obj) => evaluate(root, obj), advanced, ...(ids ? { idsOnly: ids } : {}) }
}

function idDisjunction (e: Expr): string[] | undefined {
  if (e.k === 'cmp' && e.op === 'eq' && e.path.join('/') === 'id' && typeof e.v === 'string') return [e.v.toLowerCase()]
  if (e.k === 'bool' && e.op === 'or') {
    const l = idDisjunction(e.l)
    const r = idDisjunction(e.r)
    return l && r ? [...l, ...r] : undefined
  }
  return undefined
}

const norm = (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : v)

function get (obj: unknown, path: string[]): unknown {
  let cur = obj
  for (const p of path) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[p] : undefined
  return cur
}

function compare (op: string, a: unknown, b: Literal): boolean {
  const x = norm(a ?? null)
  const y = norm(b)
  switch (op) {
    case 'eq': return x === y
    case 'ne': return x !== y
    case 'gt': return x !== null && y !== null && (x as number) > (y as number)
    case 'ge': return x !== null && y !== null && (x as number) >= (y as number)
    case 'lt': return x !== null && y !== null && (x as number) < (y as number)
    default: return x !== null && y !== null && (x as number) <= (y as number)
  }
}

function evaluate (e: Expr, obj: unknown): boolean {
  switch (e.k) {
    case 'bool': return e.op === 'and' ? evaluate(e.l, obj) && evaluate(e.r, obj) : evaluate(e.l, obj) || evaluate(e.r, obj)
    case 'not': return !evaluate(e.e, obj)
    case 'cmp': return compare(e.op, get(obj, e.path), e.v)
    case 'in': return e.vs.some((v) => compare('eq', get(obj, e.path), v))
    case 'fn': {
      const v = get(obj, e.path)
      if (typeof v !== 'string') return false
      return e.fn === 'startswith' ? v.toLowerCase().startsWith(e.v.toLowerCase()) : v.toLowerCase().endsWith(e.v.toLowerCase())
    }
    case 'any': {
      const list = get(obj, e.path)
      if (!Array.isArray(list)) return false
      return e.inner === null ? list.length > 0 : list.some((item) => evaluate(e.inner!, item))
    }
  }
}
