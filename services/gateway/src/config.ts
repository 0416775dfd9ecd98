import { Type, type Static } from '@sinclair/typebox'
import { BaseConfig, ConfigError } from '@m365/service-kit'

const ServiceUrl = (description: string) => Type.String({ pattern: '^https?://', errorMessage: 'must be an http(s):// URL', description })

// an IPv4/IPv6 address or CIDR, or one of proxy-addr's names
const PROXY_ADDRESS = '(?:[0-9A-Fa-f.:]+(?:/\\d+)?|loopback|linklocal|uniquelocal)'

/** The gateway's environment: where the services are, how tokens are verified, and the public limits. */
export const GatewayConfig = Type.Composite([BaseConfig, Type.Object({
  TENANT_AUTH_URL: ServiceUrl('tenant-auth, for tenant connections and the consent callback'),
  GRAPH_SYNC_URL: ServiceUrl('graph-sync, for sync runs'),
  CONTACTS_INGEST_URL: ServiceUrl('contacts-ingest, for PSA connections'),
  REPORT_URL: ServiceUrl('report, for clients, O365 data, templates, reports and versions'),
  WEBHOOKS_UPSTREAM_URL: Type.Optional(ServiceUrl('when set, POST /webhooks/* is passed through to it byte for byte (contacts-ingest in the single-process mode)')),

  JWT_JWKS_URL: Type.Optional(Type.String({ pattern: '^https?://', errorMessage: 'must be an http(s):// URL', description: 'the identity provider\'s JWKS (production)' })),
  JWT_ISSUER: Type.Optional(Type.String({ minLength: 1, description: 'required with JWT_JWKS_URL' })),
  JWT_AUDIENCE: Type.Optional(Type.String({ minLength: 1, description: 'required with JWT_JWKS_URL' })),
  JWT_LOCAL_KEY_FILE: Type.Optional(Type.String({ minLength: 1, description: 'an ES256 private JWK, generated when missing (single-process mode, no identity provider)' })),
  JWT_CLOCK_TOLERANCE_SECONDS: Type.Integer({ minimum: 0, maximum: 300, default: 30, description: 'clock skew allowed when checking a token\'s exp and nbf' }),
  JWT_JWKS_COOLDOWN_MS: Type.Integer({ minimum: 0, default: 30_000, description: 'a token with an unknown kid refetches the JWKS at most this often' }),
  JWT_JWKS_CACHE_MS: Type.Integer({ minimum: 0, default: 600_000, description: 'JWKS keys are refetched after this long' }),
  JWT_CLAIMS_CACHE_ENTRIES: Type.Integer({ minimum: 0, default: 10_000, description: 'verified tokens kept until they expire (least recently used dropped); 0 verifies every request' }),

  BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, default: 1_048_576, description: 'largest JSON request body' }),
  WEBHOOK_BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, default: 262_144, description: 'as contacts-ingest\'s' }),
  RATE_LIMIT_MAX: Type.Integer({ minimum: 1, default: 600, description: 'requests per principal (sub), or per address without a token, per window, per replica' }),
  RATE_LIMIT_WINDOW_MS: Type.Integer({ minimum: 1, default: 60_000, description: 'the window of RATE_LIMIT_MAX' }),
  TRUST_PROXY: Type.Optional(Type.String({
    // not a hop count: Fastify 5.12 ignores one (it cannot tell the proxy from a direct caller)
    pattern: `^(?!\\s*\\d+\\s*$)\\s*${PROXY_ADDRESS}(\\s*,\\s*${PROXY_ADDRESS})*\\s*$`,
    errorMessage: 'must be a comma-separated list of proxy addresses/CIDRs (e.g. 10.0.0.0/8 or uniquelocal), not a hop count',
    description: 'the proxies in front whose X-Forwarded-For is believed (Fastify trustProxy); unset when exposed directly'
  })),
  UPSTREAM_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 30_000, description: 'per request to a service (between CSV chunks for a stream)' }),
  STREAM_STALL_TIMEOUT_MS: Type.Integer({
    minimum: 100,
    default: 30_000,
    description: 'an answer\'s body the client takes none of for this long is cut off, which frees the service connection it comes over (a CSV export nobody reads)'
  }),
  CONSENT_CALLBACK_TIMEOUT_MS: Type.Integer({
    minimum: 100,
    default: 180_000,
    description: 'for the consent callback: longer than tenant-auth\'s CONSENT_CONFIRM_TIMEOUT_MS (120 s) plus its last attempt, or the admin gets a 504 while the tenant connects'
  })
})])
export type GatewayConfig = Static<typeof GatewayConfig>

/**
 * Fastify's trustProxy from TRUST_PROXY (addresses as Fastify splits them), false (the socket's address
 * is the caller) when unset. Never `true`: that believes the leftmost address, which the caller writes,
 * and the anonymous rate limit is keyed by request.ip.
 * @see https://fastify.dev/docs/latest/Reference/Server/#trustproxy
 */
export function trustProxy (config: GatewayConfig): string | false {
  return config.TRUST_PROXY?.trim() || false
}

export type TokenSource =
  | { kind: 'jwks', url: string, issuer: string, audience: string }
  | { kind: 'local', file: string }

/** Which tokens to trust: the identity provider's JWKS or the local key, never both; a ConfigError (one line) otherwise. */
export function tokenSource (config: GatewayConfig): TokenSource {
  const { JWT_JWKS_URL: url, JWT_ISSUER: issuer, JWT_AUDIENCE: audience, JWT_LOCAL_KEY_FILE: file } = config
  if (url && file) throw new ConfigError(['JWT_JWKS_URL and JWT_LOCAL_KEY_FILE are exclusive: set one'])
  if (url) {
    const missing = [!issuer && 'JWT_ISSUER', !audience && 'JWT_AUDIENCE'].filter((name): name is string => Boolean(name))
    if (missing.length > 0) throw new ConfigError(missing.map((name) => `${name} is required with JWT_JWKS_URL`))
    return { kind: 'jwks', url, issuer: issuer!, audience: audience! }
  }
  if (file) return { kind: 'local', file }
  throw new ConfigError(['JWT_JWKS_URL (with JWT_ISSUER and JWT_AUDIENCE) or JWT_LOCAL_KEY_FILE is required'])
}
