import type { AnyDb } from '@m365/db'
import { PsaPayloadError, type HeaderSource } from '@m365/psa'
import { badRequest, HttpProblem } from '@m365/service-kit'
import type { WebhookSettings } from '../connections/secrets.js'
import { storeDelivery } from './deliveries.js'
import { deliveryKey } from './payload.js'
import { verifyDelivery, type ConnectWiseKeys } from './verify.js'

export interface IntakeDeps {
  db: AnyDb
  connectWiseKeys: ConnectWiseKeys
  /** counts each result: accepted, duplicate, not_verified, key_unavailable, invalid_payload */
  count: (result: string) => void
}

export interface Accepted { deliveryId: string, duplicate: boolean, verifiedBy: string }

/**
 * Authenticates a delivery over its raw bytes (401; 503 when ConnectWise's key cannot be fetched), validates it
 * (400 naming the field) and only then stores it for the worker. Throws HttpProblem for every rejection.
 */
export async function takeDelivery (
  deps: IntakeDeps, settings: WebhookSettings, raw: Buffer, headers: HeaderSource & { 'content-type'?: string | undefined }
): Promise<Accepted> {
  const verified = await verifyDelivery(settings, raw, headers, deps.connectWiseKeys)
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
  const stored = await storeDelivery(deps.db, { connectionId: settings.id, psa: settings.psa, dedupeKey, body: raw, headers: kept })
  deps.count(stored.duplicate ? 'duplicate' : 'accepted')
  return { deliveryId: stored.id, duplicate: stored.duplicate, verifiedBy: verified.via }
}
