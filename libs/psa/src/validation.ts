import { Kind, type TSchema, type Static } from '@sinclair/typebox'
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler'
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors'
import type { PsaKind } from './contact.js'

/** A webhook body or REST record that does not have the shape its PSA documents. */
export class PsaPayloadError extends Error {
  readonly code = 'PSA_INVALID_PAYLOAD'
  /** dotted path, e.g. `Entity.id` or `communicationItems[0].value`; `(body)` for the whole payload */
  readonly field: string
  readonly reason: string
  constructor (readonly psa: PsaKind, field: string, reason: string) {
    super(`${field} ${reason}`)
    this.name = 'PsaPayloadError'
    this.field = field
    this.reason = reason
  }
}

/** A compiled TypeBox schema that throws PsaPayloadError naming the first bad field. */
export interface Validator<T extends TSchema> {
  readonly schema: T
  check (value: unknown): value is Static<T>
  assert (value: unknown, prefix?: string): Static<T>
}

export function compile<T extends TSchema> (psa: PsaKind, schema: T): Validator<T> {
  const checker: TypeCheck<T> = TypeCompiler.Compile(schema)
  return {
    schema,
    check: (value): value is Static<T> => checker.Check(value),
    assert (value, prefix = '') {
      if (checker.Check(value)) return value
      const first = checker.Errors(value).First()
      if (!first) throw new PsaPayloadError(psa, prefix || '(body)', 'is invalid')
      const error = deepest(first)
      throw new PsaPayloadError(psa, fieldName(prefix, error.path), describe(error))
    }
  }
}

/** JSON text or bytes to a value; bad JSON is a PsaPayloadError on `field`. */
export function parseJson (psa: PsaKind, input: Buffer | string, field = '(body)'): unknown {
  try {
    return JSON.parse(typeof input === 'string' ? input : input.toString('utf8'))
  } catch {
    throw new PsaPayloadError(psa, field, 'is not valid JSON')
  }
}

/** `/Entity/communicationItems/0/value` → `Entity.communicationItems[0].value` */
export function fieldName (prefix: string, pointer: string): string {
  let name = prefix
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    name += /^\d+$/.test(part) ? `[${part}]` : name === '' ? part : `.${part}`
  }
  return name === '' ? '(body)' : name
}

const typeErrors = new Set([
  ValueErrorType.String, ValueErrorType.Integer, ValueErrorType.Number, ValueErrorType.Boolean, ValueErrorType.Object,
  ValueErrorType.Array, ValueErrorType.Null, ValueErrorType.Literal, ValueErrorType.Union
])

/**
 * For a union (e.g. `Nullable(Array(...))` or `Nullable(Timestamp)`) whose value has the right type for one
 * branch but breaks a rule inside it, that branch's error names the problem better than "must be X or null".
 */
function deepest (error: ValueError): ValueError {
  if (error.type !== ValueErrorType.Union) return error
  let best = error
  for (const branch of error.errors) {
    const first = branch.First()
    if (!first) continue
    const inner = deepest(first)
    if (inner.path.length > best.path.length || (inner.path === error.path && !typeErrors.has(inner.type) && best === error)) best = inner
  }
  return best
}

function describe (error: ValueError): string {
  const schema = error.schema as TSchema & Record<string, unknown>
  if (error.value === undefined) return 'is required'
  if (typeof schema.errorMessage === 'string') return schema.errorMessage
  switch (error.type) {
    case ValueErrorType.ObjectRequiredProperty: return 'is required'
    case ValueErrorType.Union: return `must be ${kindName(schema)}`
    case ValueErrorType.Literal: return `must be ${JSON.stringify(schema.const)}`
    case ValueErrorType.StringMinLength: return `must not be shorter than ${String(schema.minLength)}`
    case ValueErrorType.StringPattern: return `must match ${String(schema.pattern)}`
    case ValueErrorType.StringMaxLength: return `must not be longer than ${String(schema.maxLength)}`
    case ValueErrorType.IntegerMinimum:
    case ValueErrorType.NumberMinimum: return `must be >= ${String(schema.minimum)}`
    case ValueErrorType.IntegerMaximum:
    case ValueErrorType.NumberMaximum: return `must be <= ${String(schema.maximum)}`
    default: {
      const kind = kindName(schema)
      return kind === 'valid' ? error.message.replace(/^Expected/, 'must be') : `must be ${kind}`
    }
  }
}

function kindName (schema: TSchema): string {
  const kind = schema[Kind] as string
  switch (kind) {
    case 'Union': {
      const members = (schema as unknown as { anyOf: TSchema[] }).anyOf
      if (members.every((m) => m[Kind] === 'Literal')) {
        return `one of ${members.map((m) => JSON.stringify((m as unknown as { const: unknown }).const)).join(', ')}`
      }
      return [...new Set(members.map(kindName))].join(' or ')
    }
    case 'Literal': return JSON.stringify((schema as unknown as { const: unknown }).const)
    case 'Integer': case 'Number': case 'String': case 'Boolean': case 'Object': case 'Array': case 'Null':
      return kind === 'Integer' ? 'integer' : kind.toLowerCase()
    default: return 'valid'
  }
}
