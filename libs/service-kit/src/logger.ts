import { createRequire } from 'node:module'
import pino, { type Logger, type LoggerOptions } from 'pino'
import type { BaseConfig } from './config.js'

/** Keys whose values never reach a log line, wherever they sit in a logged object (up to 3 levels deep). */
export const SECRET_KEYS = [
  'password', 'secret', 'token', 'accessToken', 'access_token', 'refreshToken', 'refresh_token',
  'idToken', 'id_token', 'clientSecret', 'client_secret', 'webhookSecret', 'signingKey', 'apiKey', 'api_key',
  'privateKey', 'private_key', 'encryptionKey', 'credentials', 'ENCRYPTION_KEY', 'ENCRYPTION_KEYS_PREVIOUS', 'AZURE_CLIENT_SECRET',
  'DATABASE_URL', 'NATS_URL'
]

/** Request/response headers that carry credentials, including the PSA webhook signatures (specs/psa-webhooks.md). */
export const SECRET_HEADERS = [
  'authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key',
  'x-content-signature', 'x-hook-signature', // ConnectWise, Autotask
  'secret', 'apiintegrationcode' // Autotask REST credentials
]

const key = (name: string) => /^[A-Za-z_$][\w$]*$/.test(name) ? `.${name}` : `["${name}"]`

/**
 * The pino `redact` paths the logger used before it redacted with {@link redactSecrets}; kept for
 * callers that configure a logger of their own. Their wildcards cost a walk of every logged value.
 */
export const redactPaths: string[] = [
  ...SECRET_KEYS.flatMap((name) => [name, `*${key(name)}`, `*.*${key(name)}`]),
  ...SECRET_HEADERS.flatMap((name) => [`headers${key(name)}`, `*.headers${key(name)}`, `*.*.headers${key(name)}`])
]

export const REDACTED = '[redacted]'
const SECRET_NAMES = new Set([...SECRET_KEYS, ...SECRET_HEADERS].map((name) => name.toLowerCase()))
/** keys are looked at down to this depth (0: the logged object's own keys): deeper than the old paths reached */
const MAX_DEPTH = 5

/**
 * `value` with the value of every secret key ({@link SECRET_KEYS}, {@link SECRET_HEADERS}, any case)
 * replaced by {@link REDACTED}, wherever it sits in plain objects, arrays and errors down to
 * {@link MAX_DEPTH}; copied only where something is censored, so the caller's objects (a request's
 * headers) are never changed and a line without secrets costs one look at each key. Other class
 * instances (a Fastify request or reply, a socket, a Buffer) are left to their serializers, which
 * never emit headers.
 */
export function redactSecrets<T> (value: T): T {
  return redactValue(value, 0) as T
}

function redactValue (value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i]
      const redacted = redactValue(item, depth + 1)
      if (redacted !== item) (copy ??= value.slice())[i] = redacted
    }
    return copy ?? value
  }
  const prototype: unknown = Object.getPrototypeOf(value)
  const isError = value instanceof Error
  if (prototype !== Object.prototype && prototype !== null && !isError) return value
  const source = value as Record<string, unknown>
  let copy: Record<string, unknown> | undefined
  for (const name of Object.keys(source)) {
    const item = source[name]
    const redacted = SECRET_NAMES.has(name.toLowerCase()) ? REDACTED : redactValue(item, depth + 1)
    if (redacted === item) continue
    copy ??= isError
      ? Object.create(prototype as object, Object.getOwnPropertyDescriptors(source)) as Record<string, unknown> // still an Error for pino's err serializer
      : { ...source }
    copy[name] = redacted
  }
  return copy ?? value
}

const SECRET_KEY_IN_JSON = new RegExp(`"(${[...SECRET_NAMES].map((name) => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})"`, 'i')

/**
 * pino applies the bindings formatter to the root logger only: a child's bindings (`log.child({ … })`)
 * are redacted here, once per child, and only parsed when a secret key's name appears in them.
 */
function redactChildBindings (child: Logger): void {
  const instance = child as unknown as Record<symbol, unknown>
  const chindings = instance[pino.symbols.chindingsSym]
  if (typeof chindings !== 'string' || !SECRET_KEY_IN_JSON.test(chindings)) return
  const bindings = JSON.parse(`{${chindings.slice(1)}}`) as Record<string, unknown>
  const redacted = redactSecrets(bindings)
  if (redacted !== bindings) instance[pino.symbols.chindingsSym] = `,${JSON.stringify(redacted).slice(1, -1)}`
}

/**
 * pino options for a service: JSON at LOG_LEVEL with secrets censored; pretty-printed only on a
 * TTY when pino-pretty is installed (a dev dependency), so containers always log JSON.
 * @see https://fastify.dev/docs/latest/Reference/Logging/
 */
export function loggerOptions (config: Pick<BaseConfig, 'LOG_LEVEL' | 'SERVICE_NAME'>, name?: string): LoggerOptions {
  const service = config.SERVICE_NAME ?? name
  const options: LoggerOptions = {
    level: config.LOG_LEVEL,
    // one walk of the logged object instead of pino's redact with wildcard paths (≈ 10 % of a service's CPU under load)
    formatters: { log: redactSecrets, bindings: redactSecrets },
    onChild: redactChildBindings,
    ...(service ? { base: { service } } : {})
  }
  if (process.stdout.isTTY && hasPinoPretty()) {
    options.transport = { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } }
  }
  return options
}

function hasPinoPretty (): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty')
    return true
  } catch {
    return false
  }
}
