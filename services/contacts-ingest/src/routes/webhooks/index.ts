import rateLimit from '@fastify/rate-limit'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { Problem, WebhookAccepted, WebhookParams } from '@m365/api'
import { HttpProblem, notFound } from '@m365/service-kit'
import type { ContactsIngestConfig } from '../../config.js'
import type { WebhookSettings } from '../../connections/secrets.js'
import { createGroupCommit } from '../../webhooks/group-commit.js'
import { openIntakeDb } from '../../webhooks/intake-db.js'
import { takeDelivery } from '../../webhooks/intake.js'

declare module 'fastify' {
  interface FastifyRequest { webhookConnection: WebhookSettings | null, webhookSettingsCached: boolean }
}

const PSAS = new Set(['connectwise', 'autotask', 'halopsa'])
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

type Params = { psa: string, connectionId: string }

/**
 * POST /webhooks/{psa}/{connectionId}: public, no principal (specs/psa-webhooks.md §1). In order: rate limit per
 * connection (429), the connection (404) before the body is read, media type (415) and size (413), authenticity over
 * the raw bytes (401), payload shape (400), then the delivery is stored and answered 202 — processing happens later.
 * Nothing is written before the delivery verified and parsed.
 */
export interface WebhookRoutesOptions {
  config: ContactsIngestConfig
  /** the service opened its database itself (not injected): intake may open its own pool next to it */
  ownsDatabase: boolean
}

const webhooks: FastifyPluginAsyncTypebox<WebhookRoutesOptions> = async (app, { config, ownsDatabase }) => {
  app.removeAllContentTypeParsers()
  // the raw bytes, untouched: signatures are over them (re-serialised JSON would not match)
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => { done(null, body) })
  await app.register(rateLimit, { global: false })
  app.decorateRequest('webhookConnection', null)
  app.decorateRequest('webhookSettingsCached', false)

  const intakeDb = openIntakeDb(app.db, { url: config.DATABASE_URL, max: config.INTAKE_DB_POOL, ownsDatabase })
  app.addHook('onClose', async () => { await intakeDb.close() })
  const writer = createGroupCommit(intakeDb.db, {
    maxRows: config.WEBHOOK_COMMIT_MAX_ROWS, maxInFlight: config.INTAKE_DB_POOL > 0 && intakeDb.db !== app.db ? config.INTAKE_DB_POOL : 2
  })

  const limit = app.rateLimit({
    max: config.WEBHOOK_RATE_LIMIT_MAX,
    timeWindow: config.WEBHOOK_RATE_LIMIT_WINDOW_MS,
    keyGenerator: (request) => `webhook:${(request.params as Params).connectionId}`,
    errorResponseBuilder: (_request, context) =>
      new HttpProblem(429, 'RATE_LIMITED', `too many webhooks for this connection; retry in ${context.after}`)
  })

  async function findConnection (request: FastifyRequest): Promise<void> {
    const { psa, connectionId } = request.params as Params
    const found = PSAS.has(psa) && UUID.test(connectionId) ? await app.connections.webhookSettings(connectionId) : undefined
    const settings = found?.settings
    if (!settings || settings.psa !== psa) throw notFound(`${psa} connection ${connectionId}`)
    request.webhookConnection = settings
    request.webhookSettingsCached = found.cached
  }

  app.post('/:psa/:connectionId', {
    // no "incoming request"/"request completed" pair per delivery: one line when accepted, rejections at warn
    logLevel: 'warn',
    bodyLimit: config.WEBHOOK_BODY_LIMIT_BYTES,
    onRequest: [limit],
    preParsing: [async (request, _reply, payload) => {
      await findConnection(request)
      return payload
    }],
    schema: {
      tags: ['Webhooks'],
      summary: 'Receive a contact webhook from a PSA (verified over the raw body, stored, processed later)',
      description: 'Authenticated as the PSA signs: Autotask X-Hook-Signature, ConnectWise x-content-signature, ' +
        'HaloPSA Authorization. Body: the PSA\'s JSON, at most WEBHOOK_BODY_LIMIT_BYTES.',
      params: WebhookParams,
      response: { 202: WebhookAccepted, 400: Problem, 401: Problem, 404: Problem, 413: Problem, 415: Problem, 429: Problem, 503: Problem }
    }
  }, async (request, reply) => {
    const { psa, connectionId } = request.params
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0)
    const deps = { store: writer.store, connectWiseKeys: app.connectWiseKeys, count: (result: string) => app.ingestMetrics.webhooks.inc({ psa, result }) }
    const refresh = request.webhookSettingsCached ? () => app.connections.freshWebhookSettings(connectionId) : undefined
    try {
      const accepted = await takeDelivery(deps, request.webhookConnection as WebhookSettings, raw, request.headers, refresh)
      if (!accepted.duplicate) app.workers.deliveries()
      app.log.info({ reqId: request.id, connectionId, psa, ...accepted }, 'webhook accepted')
      return await reply.code(202).send({ status: 'accepted', duplicate: accepted.duplicate })
    } catch (err) {
      if (err instanceof HttpProblem) request.log.warn({ connectionId, psa, statusCode: err.statusCode, detail: err.message }, 'webhook rejected')
      throw err
    }
  })
}

export default webhooks
