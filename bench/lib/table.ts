import type { Measure, Target, Unit } from './ratios.js'

const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })

export function formatValue (value: number, unit: Unit): string {
  switch (unit) {
    case 'ms':
      if (value >= 10_000) return `${(value / 1000).toFixed(1)} s`
      if (value >= 1000) return `${(value / 1000).toFixed(2)} s`
      return `${value.toFixed(value >= 100 ? 0 : 1)} ms`
    case 'MB': return `${value.toFixed(0)} MB`
    case 'x': return `${value.toFixed(3)}×`
    default: return `${int.format(value)} ${unit}`
  }
}

function formatTarget (t: Target, unit: Unit): string {
  const op = t.op === '<=' ? '≤' : t.op === '>=' ? '≥' : '<'
  return t.on === 'ratio' ? `${op} ${t.limit}×` : `${op} ${formatValue(t.limit, unit)}`
}

const cell = (text: string) => text.replaceAll('|', '\\|')

/** The run's figures as one markdown table: value, floor, ratio, target, PASS/MISS. */
export function markdownTable (measures: readonly Measure[]): string {
  const lines = [
    '| benchmark | measure | value | floor | ratio | target | result |',
    '|---|---|--:|---|--:|---|---|'
  ]
  for (const m of measures) {
    const floor = m.floor ? `${formatValue(m.floor.value, m.unit)} (${m.floor.name})` : ''
    const ratio = m.ratio === undefined ? '' : `${m.ratio.toFixed(m.ratio < 0.1 ? 3 : 2)}×`
    const target = m.target ? formatTarget(m.target, m.unit) : ''
    const result = m.target ? (m.target.pass ? 'PASS' : '**MISS**') : ''
    const name = m.note ? `${m.name} — ${m.note}` : m.name
    lines.push(`| ${cell(m.bench)} | ${cell(name)} | ${formatValue(m.value, m.unit)} | ${cell(floor)} | ${ratio} | ${target} | ${result} |`)
  }
  return lines.join('\n')
}
