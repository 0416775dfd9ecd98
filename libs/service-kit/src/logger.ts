import { createRequire } from 'node:module'
import type { LoggerOptions } from 'pino'
import type { BaseConfig } from './config.js'

/** Keys whose values never reach a log line, wherever they sit in a logged object (up to 3 levels deep). */
export const SECRET_KEYS = [
  'password', 'secret', 'token', 'accessToken', 'access_token', 'refreshToken', 'refresh_token',
  'idToken', 'id_token', 'clientSecret', 'client_secret', 'webhookSecret', 'signingKey', 'apiKey', 'api_key',
  'privateKey', 'private_key', 'encryptionKey', 'credentials', 'ENCRYPTION_KEY', 'AZURE_CLIENT_SECRET', 'DATABASE_URL'
]

/** Request/response headers that carry credentials, including the PSA webhook signatures (specs/psa-webhooks.md). */
export const SECRET_HEADERS = [
  'authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key',
  'x-content-signature', 'x-hook-signature', // ConnectWise, Autotask
  'secret', 'apiintegrationcode' // Autotask REST credentials
]

const key = (name: string) => /^[A-Za-z_$][\w$]*$/.test(name) ? `.${name}` : `["${name}"]`

/** pino `redact` paths: secret keys at the top level and one or two levels down, secret headers wherever `headers` is. */
export const redactPaths: string[] = [
  ...SECRET_KEYS.flatMap((name) => [name, `*${key(name)}`, `*.*${key(name)}`]),
  ...SECRET_HEADERS.flatMap((name) => [`headers${key(name)}`, `*.headers${key(name)}`, `*.*.headers${key(name)}`])
]

/**
 * pino options for a service: JSON at LOG_LEVEL with secrets censored; pretty-printed only on a
 * TTY when pino-pretty is installed (a dev dependency), so containers always log JSON.
 * @see https://fastify.dev/docs/latest/Reference/Logging/
 */
export function loggerOptions (config: Pick<BaseConfig, 'LOG_LEVEL' | 'SERVICE_NAME'>, name?: string): LoggerOptions {
  const service = config.SERVICE_NAME ?? name
  const options: LoggerOptions = {
    level: config.LOG_LEVEL,
    redact: { paths: redactPaths, censor: '[redacted]' },
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
