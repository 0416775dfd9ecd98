import { Type, type TSchema } from '@sinclair/typebox'

/** Schema helpers shared by the PSA payload schemas. */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])

export const OptionalText = Type.Optional(Nullable(Type.String()))

/** An ISO-8601 date or date-time; an offset is optional (Halo sends UTC without one). */
export const Timestamp = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}([T ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?)?([Zz]|[+-]\\d{2}:?\\d{2})?$',
  errorMessage: 'must be an ISO-8601 date-time'
})

/**
 * Copies an object, renaming keys that match one of `names` case-insensitively to that spelling
 * (PSAs and their documentation disagree on casing: `PersonID`/`PersonId`, `Metadata`/`metadata`).
 */
export function canonicalKeys (value: unknown, names: readonly string[]): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value
  const byLower = new Map(names.map((name) => [name.toLowerCase(), name]))
  const out: Record<string, unknown> = {}
  for (const [key, v] of Object.entries(value)) {
    const canonical = byLower.get(key.toLowerCase()) ?? key
    if (canonical in out && key !== canonical) continue // the exact spelling wins over a differently cased twin
    out[canonical] = v
  }
  return out
}

/** The name of a JSON object's keys as the PSA documents them (the keys of a TypeBox object schema). */
export function keysOf (schema: TSchema): string[] {
  return Object.keys((schema as { properties?: Record<string, unknown> }).properties ?? {})
}
