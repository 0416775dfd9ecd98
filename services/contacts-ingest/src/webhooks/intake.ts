import { PsaPayloadError, type HeaderSource } from '@m365/psa'
import { badRequest, HttpProblem } from '@m365/service-kit'
import type { WebhookSettings } from '../connections/secrets.js'
import type { NewDelivery, StoredDeliveryRef } from './deliveries.js'
import { deliveryKey } from './payload.js'
import { verifyDelivery, type ConnectWiseKeys } from './verify.js'

export interface IntakeDeps {
  /** stores the delivery durably (group commit), resolving once committed */
  store: (delivery: NewDelivery) => Promise<StoredDeliveryRef>
  connectWiseKeys: ConnectWiseKeys
  /** counts each result: accepted, duplicate, not_verified, key_unavailable, invalid_payload */
  count: (result: string) => void
}

export interface Accepted { deliveryId: string, duplicate: boolean, verifiedBy: string }

/**
 * Authenticates a delivery over its raw bytes (401; 503 when ConnectWise's key cannot be fetched), validates it
 * (400 naming the field) and only then stores it for the worker. Throws HttpProblem for every rejection. Settings that
 * may be stale (cached) and reject the signature are read again once (`refresh`): the secret may have been rotated
 * on another replica.
 */
export async function takeDelivery (
  deps: IntakeDeps, given: WebhookSettings, raw: Buffer, headers: HeaderSource & { 'content-type'?: string | undefined },
  refresh?: () => Promise<WebhookSettings | undefined>
): Promise<Accepted> {
  let settings = given
  let verified = await verifyDelivery(settings, raw, headers, deps.connectWiseKeys)
  if (!verified.ok && verified.status === 401 && refresh && settings.psa !== 'connectwise') {
    const fresh = await refresh()
    if (fresh && fresh.psa === settings.psa) {
      settings = fresh
      verified = await verifyDelivery(settings, raw, headers, deps.connectWiseKeys)
    }
  }
  if (!verified.ok) {
    if (verified.status === 503) {
      deps.count('key_unavailable')
      throw new HttpProblem(503, 'SIGNING_KEY_UNAVAILABLE', 'the signing key could not be fetched; retry later', { 'retry-after': '30' })
    }
    deps.count('not_verified')
    throw new HttpProblem(401, 'WEBHOOK_NOT_VERIFIED', `webhook not verified: ${verified.reason}`)
  }
  let dedupeKey: string
  try {
    dedupeKey = deliveryKey(settings.psa, raw).dedupeKey
  } catch (err) {
    if (!(err instanceof PsaPayloadError)) throw err
    deps.count('invalid_payload')
    throw badRequest(`${err.field} ${err.reason}`, 'INVALID_PAYLOAD')
  }
  const kept: Record<string, string> = { verifiedBy: verified.via }
  if (headers['content-type']) kept['content-type'] = headers['content-type']
  const stored = await deps.store({ connectionId: settings.id, psa: settings.psa, dedupeKey, body: raw, headers: kept })
  deps.count(stored.duplicate ? 'duplicate' : 'accepted')
  return { deliveryId: stored.id, duplicate: stored.duplicate, verifiedBy: verified.via }
}
