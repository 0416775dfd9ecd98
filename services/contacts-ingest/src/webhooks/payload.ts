import { createHash } from 'node:crypto'
import { parseAutotaskWebhook, parseConnectWiseWebhook, parseHaloWebhook, PsaPayloadError } from '@m365/psa'
import type { PsaType } from '../db/schema.js'

export interface DeliveryKey {
  /** the same delivery twice (a PSA retry, a replay) has the same key and is stored once */
  dedupeKey: string
}

const sha256 = (raw: Buffer | string) => createHash('sha256').update(raw).digest('hex')

/** In characters; a btree entry holds at most 2704 bytes, and nothing limits the PSA's fields. */
const MAX_KEY_LENGTH = 200

/** A longer key is replaced by its hash under the same prefix: still one key per delivery, and bounded. */
const bounded = (key: string) => key.length <= MAX_KEY_LENGTH ? key : `${key.slice(0, key.indexOf(':'))}:key-sha256:${sha256(key)}`

/** A body field that goes into the key: no PSA sends control characters there (and Postgres cannot store \u0000). */
function keyPart (psa: PsaType, field: string, value: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new PsaPayloadError(psa, field, 'must not contain control characters')
  return value
}

/**
 * Validates a verified body (PsaPayloadError naming the field when it is not what the PSA sends) and derives its
 * idempotency key (specs/psa-webhooks.md §2.4, §3.4): Autotask Guid:Id:SequenceNumber, ConnectWise MessageId,
 * HaloPSA the body's hash (its body is only a hint; see storeDelivery). A key over MAX_KEY_LENGTH is hashed.
 */
export function deliveryKey (psa: PsaType, raw: Buffer): DeliveryKey {
  switch (psa) {
    case 'autotask': {
      const event = parseAutotaskWebhook(raw)
      const order = event.SequenceNumber ?? event.EventTime ?? `sha256:${sha256(raw)}`
      const guid = keyPart(psa, 'Guid', event.Guid)
      return { dedupeKey: bounded(`at:${guid}:${event.Action === 'Deactivated' ? 'deactivated' : event.Id}:${order}`) }
    }
    case 'connectwise': {
      const event = parseConnectWiseWebhook(raw)
      const message = event.MessageId?.trim()
      if (!message) return { dedupeKey: `cw:sha256:${sha256(raw)}` }
      return { dedupeKey: bounded(`cw:${keyPart(psa, 'MessageId', message)}:${event.ID}:${event.Action}`) }
    }
    case 'halopsa':
      parseHaloWebhook(raw)
      return { dedupeKey: `halo:sha256:${sha256(raw)}` }
  }
}
