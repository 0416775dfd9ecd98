import type { TObject, TSchema } from '@sinclair/typebox'

/** One environment variable as a service's config schema declares it. */
export interface Variable {
  name: string
  /** the value used when unset; undefined when there is none */
  default: unknown
  required: boolean
  /** what the value must look like, in words */
  accepts: string
  description: string
}

interface Described extends TSchema {
  type?: string
  enum?: unknown[]
  minimum?: number
  exclusiveMinimum?: number
  maximum?: number
  pattern?: string
  errorMessage?: string
}

/** The variables of a TypeBox object schema (the shape every config.ts exports), in declaration order. */
export function variablesOf (schema: TObject): Variable[] {
  const required = new Set(schema.required ?? [])
  return Object.entries(schema.properties).map(([name, property]) => {
    const p = property as Described
    return {
      name,
      default: p.default,
      required: required.has(name) && p.default === undefined,
      accepts: accepts(p),
      description: p.description ?? ''
    }
  })
}

function accepts (p: Described): string {
  if (Array.isArray(p.enum)) return `one of ${p.enum.map((v) => `\`${String(v)}\``).join(', ')}`
  if (p.type === 'boolean') return '`true` or `false`'
  if (p.type === 'integer' || p.type === 'number') {
    const kind = p.type === 'integer' ? 'integer' : 'number'
    if (p.minimum !== undefined && p.maximum !== undefined) return `${kind} ${p.minimum}–${p.maximum}`
    if (p.minimum !== undefined) return `${kind} ≥ ${p.minimum}`
    if (p.exclusiveMinimum !== undefined) return `${kind} > ${p.exclusiveMinimum}`
    return kind
  }
  // errorMessage is the wording a bad value gets at start-up ('must be an https:// URL')
  if (p.errorMessage) return p.errorMessage.replace(/^must be /, '')
  return 'text'
}
