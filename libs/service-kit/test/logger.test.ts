import t from 'tap'
import Fastify, { type FastifyBaseLogger } from 'fastify'
import pino from 'pino'
import { loadConfig, BaseConfig, loggerOptions, redactSecrets, requestLogging } from '../src/index.js'
import { LogCapture } from './helper.js'

const secrets = {
  bearer: 'Bearer eyJhbGciOiJIUzI1NiJ9.c2VjcmV0.sig',
  cookie: 'session=s3cr3t-cookie',
  clientSecret: 'azure-client-secret-value',
  accessToken: 'graph-access-token-value',
  refreshToken: 'refresh-token-value',
  token: 'plain-token-value',
  password: 'hunter2-password',
  webhookSecret: 'AtSecret-0123456789',
  apiKey: 'api-key-value',
  privateKey: '-----BEGIN PRIVATE KEY-----abc',
  cwSignature: '1SvNn709EupYYyZHlCR3fHZ8+evU8FHz/KeSwrC7Atg=',
  atSignature: 'sha1=FbM+ph20YtCcc+4R7nkRFVDw0V8=',
  encryptionKey: 'ab'.repeat(32),
  databaseUrl: 'postgres://app:db-password@db/app',
  previousKeys: 'cd'.repeat(32),
  natsUrl: 'nats://bus:nats-password@nats:4222'
}

t.test('no secret value reaches the log, wherever it sits', async (t) => {
  const logs = new LogCapture()
  const config = loadConfig(BaseConfig, { LOG_LEVEL: 'debug' })
  const app = Fastify({ loggerInstance: pino(loggerOptions(config, 'kit-test'), logs) as FastifyBaseLogger })
  t.teardown(() => app.close())
  app.post('/webhook', async (request) => {
    request.log.info({ headers: request.headers }, 'webhook received')
    request.log.info({ req: { headers: request.headers } }, 'as req')
    request.log.info({ connection: { webhookSecret: secrets.webhookSecret, apiKey: secrets.apiKey } }, 'connection')
    request.log.info({ tenant: { credentials: { clientSecret: secrets.clientSecret } } }, 'tenant')
    request.log.info({ result: { accessToken: secrets.accessToken, refreshToken: secrets.refreshToken, token: secrets.token } }, 'tokens')
    request.log.info({ password: secrets.password, privateKey: secrets.privateKey }, 'top level')
    request.log.info({ config: { ENCRYPTION_KEY: secrets.encryptionKey, DATABASE_URL: secrets.databaseUrl, ENCRYPTION_KEYS_PREVIOUS: secrets.previousKeys, NATS_URL: secrets.natsUrl } }, 'config')
    return { ok: true }
  })
  const res = await app.inject({
    method: 'POST',
    url: '/webhook',
    headers: {
      authorization: secrets.bearer,
      cookie: secrets.cookie,
      'x-content-signature': secrets.cwSignature,
      'x-hook-signature': secrets.atSignature
    },
    payload: {}
  })
  t.equal(res.statusCode, 200)
  t.equal(logs.lines.filter((line) => line.msg === 'webhook received').length, 1)
  for (const [name, value] of Object.entries(secrets)) t.notOk(logs.raw.includes(value), `${name} is not logged`)
  t.match(logs.raw, /\[redacted\]/)
  t.equal(logs.lines[0]?.service, 'kit-test', 'every line names the service')
})

t.test('secrets in errors, arrays, bindings, deeper objects and any header case are censored; logged objects are left as they were', async (t) => {
  const logs = new LogCapture()
  const config = loadConfig(BaseConfig, { LOG_LEVEL: 'debug' })
  const app = Fastify({ loggerInstance: pino(loggerOptions(config, 'kit-test'), logs) as FastifyBaseLogger })
  t.teardown(() => app.close())
  let headersAfterLogging: Record<string, unknown> = {}
  app.get('/call', async (request) => {
    const err = Object.assign(new Error('upstream refused'), { config: { headers: { Authorization: secrets.bearer } }, code: 'E_UPSTREAM' })
    request.log.error({ err }, 'failed')
    request.log.info({ attempts: [{ accessToken: secrets.accessToken }, { ok: true }] }, 'array')
    request.log.info({ a: { b: { c: { headers: { 'X-Hook-Signature': secrets.atSignature } } } } }, 'deep')
    request.log.child({ connection: { webhookSecret: secrets.webhookSecret } }).info('bound')
    request.log.info({ headers: request.headers }, 'headers')
    headersAfterLogging = { ...request.headers }
    return { ok: true }
  })
  const res = await app.inject({ method: 'GET', url: '/call', headers: { authorization: secrets.bearer, cookie: secrets.cookie } })
  t.equal(res.statusCode, 200)
  for (const [name, value] of Object.entries(secrets)) t.notOk(logs.raw.includes(value), `${name} is not logged`)
  const failed = logs.lines.find((line) => line.msg === 'failed') as { err: Record<string, unknown> }
  t.match(failed.err, { type: 'Error', message: 'upstream refused', code: 'E_UPSTREAM', config: { headers: { Authorization: '[redacted]' } } }, 'still logged as an error')
  t.match(failed.err.stack, /upstream refused/)
  t.match(logs.lines.find((line) => line.msg === 'array'), { attempts: [{ accessToken: '[redacted]' }, { ok: true }] })
  t.match(logs.lines.find((line) => line.msg === 'bound'), { connection: { webhookSecret: '[redacted]' } })
  t.equal(headersAfterLogging.authorization, secrets.bearer, 'the request\'s own headers are not censored by logging them')
  t.match(logs.lines.find((line) => line.msg === 'incoming request'), { req: { method: 'GET', url: '/call' } }, 'request lines as before')
  t.match(logs.lines.find((line) => line.msg === 'request completed'), { res: { statusCode: 200 } })
})

t.test('a service logs one line per request, with method, URL, status and time; the incoming line only at debug', async (t) => {
  const logged = async (level: 'info' | 'debug') => {
    const logs = new LogCapture()
    const config = loadConfig(BaseConfig, { LOG_LEVEL: level })
    const app = Fastify({ loggerInstance: pino(loggerOptions(config, 'kit-test'), logs) as FastifyBaseLogger, ...requestLogging() })
    t.teardown(() => app.close())
    app.get('/things/:id', async () => ({ ok: true }))
    app.get('/quiet', { logLevel: 'warn' }, async () => ({ ok: true }))
    app.get('/broken', async () => { throw new Error('kaput') })
    for (const url of ['/things/7?limit=2', '/quiet', '/broken']) await app.inject({ method: 'GET', url, headers: { authorization: secrets.bearer } })
    return logs
  }
  const info = await logged('info')
  const lines = info.lines.filter((line) => line.req !== undefined || line.res !== undefined)
  t.same(lines.map((line) => line.msg), ['request completed', 'kaput', 'request completed'], 'one line per request (and the error); none for the quiet route')
  t.match(lines[0], { req: { method: 'GET', url: '/things/7?limit=2' }, res: { statusCode: 200 }, responseTime: Number })
  t.match(lines[2], { req: { method: 'GET', url: '/broken' }, res: { statusCode: 500 } })
  t.notOk(info.raw.includes(secrets.bearer), 'the bearer token is not logged')

  const debug = await logged('debug')
  t.equal(debug.lines.filter((line) => line.msg === 'incoming request').length, 2, 'at debug, the incoming lines too (not the quiet route\'s)')
})

t.test('redactSecrets copies only what it censors', async (t) => {
  const clean = { a: 1, b: { c: [1, 2, { d: 'x' }] } }
  t.equal(redactSecrets(clean), clean, 'nothing to censor: the very object')
  const buffer = Buffer.from('token')
  const mixed = { keep: clean, buffer, nested: { password: 'p', other: 'o' } }
  const redacted = redactSecrets(mixed)
  t.not(redacted, mixed)
  t.equal(redacted.keep, clean, 'untouched branches are shared')
  t.equal(redacted.buffer, buffer, 'class instances are left to serializers')
  t.same(redacted.nested, { password: '[redacted]', other: 'o' })
  t.equal(mixed.nested.password, 'p', 'the original is unchanged')
  const cycle: Record<string, unknown> = { name: 'loop' }
  cycle.self = cycle
  t.equal(redactSecrets(cycle), cycle, 'a cycle ends at the depth limit')
})

t.test('JSON at LOG_LEVEL when not on a TTY', async (t) => {
  const options = loggerOptions({ LOG_LEVEL: 'warn', SERVICE_NAME: 'report' })
  t.equal(options.level, 'warn')
  t.same(options.base, { service: 'report' })
  if (!process.stdout.isTTY) t.equal(options.transport, undefined)
})
