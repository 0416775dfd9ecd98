import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Page, WebhookDelivery, WebhookDeliveryListQuery, WebhookDeliveryRetried, WebhookDeliveryRetry } from '@m365/api'
import { listDeliveries, retryFailedDeliveries } from '../../../webhooks/recovery.js'
import { ConnectionParams, Problems, TAGS } from './schemas.js'

const deliveries: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/:id/deliveries', {
    schema: {
      tags: TAGS,
      summary: 'Webhook deliveries of a connection by status (default failed), oldest first',
      params: ConnectionParams,
      querystring: WebhookDeliveryListQuery,
      response: { 200: Page(WebhookDelivery), ...Problems }
    }
  }, async (request) => {
    await app.connections.get(request.params.id)
    return await listDeliveries(app.db, request.params.id, request.query)
  })

  app.post('/:id/deliveries/retry', {
    schema: {
      tags: TAGS,
      summary: 'Try failed webhook deliveries again (all of the connection, or those listed) with a fresh budget of tries',
      params: ConnectionParams,
      body: WebhookDeliveryRetry,
      response: { 200: WebhookDeliveryRetried, ...Problems }
    },
    // no body: every failed delivery of the connection
    preValidation: async (request) => { request.body ??= {} }
  }, async (request) => {
    await app.connections.get(request.params.id)
    const ids = request.body.ids
    const retried = await retryFailedDeliveries(app.db, request.params.id, ids)
    if (retried > 0) app.workers.deliveries()
    request.log.info({ connectionId: request.params.id, listed: ids?.length ?? 'all', retried }, 'failed deliveries retried')
    return { retried }
  })
}

export default deliveries
