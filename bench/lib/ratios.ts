/** One figure of a benchmark, optionally against a floor measured in the same run, optionally with a target. */
export interface Measure {
  /** '1. full sync' */
  bench: string
  /** 'sync of 100,000 users' */
  name: string
  value: number
  unit: Unit
  floor?: { name: string, value: number }
  /** value ÷ floor (times: lower is better; rates: higher is better) */
  ratio?: number
  target?: Target
  note?: string
}

export type Unit = 'ms' | 'MB' | 'req/s' | 'users/s' | 'deliveries/s' | 'x'

/** A target is checked on the ratio (× the floor) or on the value itself. */
export interface Target {
  on: 'ratio' | 'value'
  op: '<=' | '<' | '>='
  limit: number
  /** set by check() */
  pass?: boolean
}

export const atMost = (limit: number, on: Target['on'] = 'ratio'): Target => ({ on, op: '<=', limit })
export const below = (limit: number, on: Target['on'] = 'ratio'): Target => ({ on, op: '<', limit })
export const atLeast = (limit: number, on: Target['on'] = 'ratio'): Target => ({ on, op: '>=', limit })

/** The measure with its ratio to the floor and its target decided. */
export function measure (m: Omit<Measure, 'ratio'>): Measure {
  const ratio = m.floor && m.floor.value > 0 ? m.value / m.floor.value : undefined
  const result: Measure = { ...m, ...(ratio === undefined ? {} : { ratio }) }
  if (m.target) {
    const x = m.target.on === 'ratio' ? ratio : m.value
    const pass = x !== undefined && Number.isFinite(x) && (
      m.target.op === '<=' ? x <= m.target.limit : m.target.op === '<' ? x < m.target.limit : x >= m.target.limit)
    result.target = { ...m.target, pass }
  }
  return result
}

/** 'larger of' two floors, keeping the name of the one that won. */
export function largerFloor (a: { name: string, value: number }, b: { name: string, value: number }) {
  return a.value >= b.value ? a : b
}
