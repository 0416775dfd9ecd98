import { createHash } from 'node:crypto'
import { parseAutotaskWebhook, parseConnectWiseWebhook, parseHaloWebhook } from '@m365/psa'
import type { PsaType } from '../db/schema.js'

export interface DeliveryKey {
  /** the same delivery twice (a PSA retry, a replay) has the same key and is stored once */
  dedupeKey: string
}

const sha256 = (raw: Buffer) => createHash('sha256').update(raw).digest('hex')

/**
 * Validates a verified body (PsaPayloadError naming the field when it is not what the PSA sends) and derives its
 * idempotency key (specs/psa-webhooks.md §2.4, §3.4): Autotask Guid:Id:SequenceNumber, ConnectWise MessageId,
 * HaloPSA the body's hash (its body is only a hint; see storeDelivery).
 */
export function deliveryKey (psa: PsaType, raw: Buffer): DeliveryKey {
  switch (psa) {
    case 'autotask': {
      const event = parseAutotaskWebhook(raw)
      const order = event.SequenceNumber ?? event.EventTime ?? `sha256:${sha256(raw)}`
      return { dedupeKey: `at:${event.Guid}:${event.Action === 'Deactivated' ? 'deactivated' : event.Id}:${order}` }
    }
    case 'connectwise': {
      const event = parseConnectWiseWebhook(raw)
      const message = event.MessageId?.trim()
      return { dedupeKey: message ? `cw:${message}:${event.ID}:${event.Action}` : `cw:sha256:${sha256(raw)}` }
    }
    case 'halopsa':
      parseHaloWebhook(raw)
      return { dedupeKey: `halo:sha256:${sha256(raw)}` }
  }
}
