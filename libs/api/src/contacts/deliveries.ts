import { Type, type Static } from '@sinclair/typebox'
import { PageQuery } from '../common.js'
import { PsaType } from './connections.js'

const DateTime = Type.String({ format: 'date-time' })

/**
 * Where a stored webhook delivery stands: `pending` (waiting for its next try, or being processed), `processed`
 * (applied, or nothing to apply), `failed` (its tries ran out or it can never succeed: kept until retried).
 */
export const WebhookDeliveryStatus = Type.Union([Type.Literal('pending'), Type.Literal('processed'), Type.Literal('failed')])
export type WebhookDeliveryStatus = Static<typeof WebhookDeliveryStatus>

export const WebhookDeliveryListQuery = Type.Composite([PageQuery, Type.Object({
  status: Type.Union([Type.Literal('failed'), Type.Literal('pending'), Type.Literal('processed')], {
    default: 'failed', description: 'which deliveries (default failed)'
  })
})])
export type WebhookDeliveryListQuery = Static<typeof WebhookDeliveryListQuery>

/** A verified webhook delivery of a connection as stored for processing; never its body or headers. */
export const WebhookDelivery = Type.Object({
  id: Type.String({ format: 'uuid' }),
  connectionId: Type.String({ format: 'uuid' }),
  psa: PsaType,
  status: WebhookDeliveryStatus,
  receivedAt: Type.String({ format: 'date-time', description: 'when the PSA delivered it (a repeated HaloPSA hint: the last time)' }),
  attempts: Type.Integer({ minimum: 0, description: 'tries so far (a retry starts the count again)' }),
  lastError: Type.Union([Type.String(), Type.Null()], {
    description: 'why the last try failed, one line (kept when a failed delivery is retried, cleared once it is processed)'
  }),
  nextAttemptAt: Type.Union([DateTime, Type.Null()], {
    description: 'pending only: when it is tried next (while a worker holds it, when that worker\'s lease ends)'
  }),
  processedAt: Type.Union([DateTime, Type.Null()], { description: 'when it was processed, or given up (failed)' }),
  outcome: Type.Union([Type.String(), Type.Null()], { description: 'processed only: what it did to the contact' })
})
export type WebhookDelivery = Static<typeof WebhookDelivery>

export const MAX_RETRY_IDS = 1000

/** Which failed deliveries to try again: `ids`, or every failed delivery of the connection when left out. */
export const WebhookDeliveryRetry = Type.Object({
  ids: Type.Optional(Type.Array(Type.String({ format: 'uuid' }), {
    minItems: 1, maxItems: MAX_RETRY_IDS, description: 'delivery ids; those not failed, or of another connection, are left as they are'
  }))
}, { additionalProperties: false })
export type WebhookDeliveryRetry = Static<typeof WebhookDeliveryRetry>

export const WebhookDeliveryRetried = Type.Object({
  retried: Type.Integer({ minimum: 0, description: 'failed deliveries put back to pending with a fresh budget of tries' })
})
export type WebhookDeliveryRetried = Static<typeof WebhookDeliveryRetried>
