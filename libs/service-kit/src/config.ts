import { Type, type Static, type TObject } from '@sinclair/typebox'
import envSchema from 'env-schema'
import postgres from 'postgres'

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = typeof LOG_LEVELS[number]

/**
 * Fastify's pluginTimeout. Start-up work (migrations, JetStream streams and consumers) can take longer
 * than Fastify's 10 s default on a busy node; the startup probe, not this, decides when a slow start failed.
 */
export const DEFAULT_STARTUP_TIMEOUT_MS = 120_000

/**
 * A Postgres URL the driver can read (`postgresUrl`: see loadConfig). A password with '/', '@' or '%' left
 * unencoded would otherwise fail at start deep in the driver, with the whole URL, password and all, in the error.
 */
export const PostgresUrl = Type.String({
  pattern: '^postgres(ql)?://',
  postgresUrl: true,
  errorMessage: 'must be a postgres:// URL (percent-encode special characters in the user name and password)'
})

/**
 * What every service reads from the environment. Extend it with `Type.Composite([BaseConfig, …])`
 * or `Type.Object({ ...BaseConfig.properties, … })`. A property may carry `errorMessage`
 * ('must be 64 hex characters') to replace ajv's wording in the start-up error line.
 */
export const BaseConfig = Type.Object({
  SERVICE_NAME: Type.Optional(Type.String({ minLength: 1, description: 'defaults to the name the service runs as' })),
  HOST: Type.String({ default: '0.0.0.0', description: 'address the HTTP server listens on' }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000, description: 'HTTP port (routes, /healthz, /readyz, /metrics)' }),
  LOG_LEVEL: Type.Unsafe<LogLevel>({ type: 'string', enum: [...LOG_LEVELS], default: 'info', description: 'pino level of the JSON log lines on stdout' }),
  DATABASE_URL: Type.Optional(Type.String({ ...PostgresUrl, description: 'Postgres (each service uses its own schema); unset: PGlite under DATA_DIR, in npm start only (a data service on its own stops)' })),
  DATA_DIR: Type.String({ minLength: 1, default: './data', description: 'PGlite files (when no DATABASE_URL) and local state' }),
  NATS_URL: Type.Optional(Type.String({
    pattern: '^(nats|tls|wss?)://',
    errorMessage: 'must be a nats:// URL (comma-separate several)',
    description: 'NATS with JetStream; unset: the in-process bus, in npm start only (nothing kept across a restart; a data service on its own stops)'
  })),
  BUS_NAMESPACE: Type.Optional(Type.String({
    pattern: '^[A-Za-z0-9_-]+$',
    errorMessage: 'may only contain letters, digits, "_" and "-"',
    description: 'a prefix for JetStream streams, consumers and subjects, so several deployments share one NATS'
  })),
  CLOSE_GRACE_MS: Type.Integer({ minimum: 0, default: 10_000, description: 'how long shutdown may take before the process is killed' }),
  REQUEST_TIMEOUT_MS: Type.Integer({ minimum: 0, default: 60_000, description: 'how long a client may take to send a whole request (Fastify requestTimeout; 0: no limit)' }),
  STARTUP_TIMEOUT_MS: Type.Integer({ minimum: 1000, default: DEFAULT_STARTUP_TIMEOUT_MS, description: 'how long each plugin may take to start' })
})
export type BaseConfig = Static<typeof BaseConfig>

const HEX_KEY = '[0-9a-fA-F]{64}'

/** For a service that seals secrets at rest (createKeyRing): compose it with BaseConfig. */
export const EncryptionConfig = Type.Object({
  ENCRYPTION_KEY: Type.String({
    pattern: `^${HEX_KEY}$`,
    errorMessage: 'must be 64 hex characters (32 bytes, e.g. `openssl rand -hex 32`)',
    description: 'AES-256-GCM key that seals stored credentials and secrets'
  }),
  ENCRYPTION_KEYS_PREVIOUS: Type.Optional(Type.String({
    pattern: `^${HEX_KEY}(,${HEX_KEY})*$`,
    errorMessage: 'must be comma-separated keys of 64 hex characters',
    description: 'keys that still decrypt (after a rotation); ciphertexts name their key id'
  }))
})
export type EncryptionConfig = Static<typeof EncryptionConfig>

/** The part of an ajv error we read (env-schema brings its own ajv 8). */
interface ErrorObject {
  keyword: string
  instancePath: string
  params: Record<string, unknown>
  message?: string
}

/** Bad or missing configuration; `message` is one line such as `config: PORT must be integer`. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError'
  readonly code = 'CONFIG_INVALID'
  constructor (readonly problems: string[]) {
    super(`config: ${problems.join('; ')}`)
  }
}

/**
 * Validates `env` (process.env by default) against `schema`: ajv coerces strings to numbers and
 * booleans, fills defaults and drops unknown variables. An empty variable counts as unset.
 * @see https://github.com/fastify/env-schema
 */
export function loadConfig<T extends TObject> (schema: T, env: Record<string, string | undefined> = process.env): Static<T> {
  const data = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''))
  try {
    return envSchema<Static<T>>({
      schema: { ...schema }, // env-schema sets additionalProperties on what it is given
      data,
      env: false,
      ajv: {
        customOptions (ajv) {
          ajv.addKeyword({ keyword: 'errorMessage', schemaType: 'string' })
          ajv.addKeyword({ keyword: 'postgresUrl', type: 'string', schemaType: 'boolean', validate: (_: boolean, url: string) => driverReads(url) })
          return ajv
        }
      }
    })
  } catch (err) {
    const errors = (err as { errors?: ErrorObject[] }).errors
    if (!errors) throw err
    throw new ConfigError(describe(schema, errors))
  }
}

/** Whether the postgres driver parses `url` (it connects on the first query only, so nothing is opened here). */
function driverReads (url: string): boolean {
  try {
    postgres(url)
    return true
  } catch {
    return false
  }
}

function describe (schema: TObject, errors: ErrorObject[]): string[] {
  const byVariable = new Map<string, string>()
  for (const error of errors) {
    const variable = error.keyword === 'required'
      ? String(error.params.missingProperty)
      : error.instancePath.replace(/^\//, '').split('/')[0] ?? ''
    if (byVariable.has(variable)) continue
    byVariable.set(variable, `${variable} ${problem(schema, variable, error)}`)
  }
  return [...byVariable.values()]
}

function problem (schema: TObject, variable: string, error: ErrorObject): string {
  if (error.keyword === 'required') return 'is required'
  const custom = (schema.properties[variable] as { errorMessage?: unknown } | undefined)?.errorMessage
  if (typeof custom === 'string') return custom
  if (error.keyword === 'enum') return `must be one of ${(error.params.allowedValues as unknown[]).join(', ')}`
  return error.message ?? 'is invalid'
}

/** For server.ts: the config, or one line on stderr and exit code 1. */
export function loadConfigOrExit<T extends TObject> (schema: T, env: Record<string, string | undefined> = process.env): Static<T> {
  try {
    return loadConfig(schema, env)
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    process.stderr.write(`${err.message}\n`)
    process.exit(1)
  }
}
