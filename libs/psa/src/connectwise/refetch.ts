import { noRefetch, refetch, type RefetchDecision } from '../refetch.js'
import { hasEmailItems } from './normalise.js'
import type { ConnectWiseWebhook } from './payload.js'

/**
 * ConnectWise callbacks may come without Entity, or with an Entity that has no communication items
 * (so no email). Refetch `GET /company/contacts/{ID}` then; a 404 means deleted. A delete never needs it.
 */
export function connectWiseNeedsRefetch (event: ConnectWiseWebhook): RefetchDecision {
  const contact = event.contact
  // a verified delete is tombstoned by ID, Entity or not (specs/psa-webhooks.md §2.4): no REST access needed
  if (event.Action === 'deleted') return noRefetch('delete: tombstone by ID')
  if (contact === null) return refetch('no Entity in the callback')
  if (!hasEmailItems(contact)) return refetch('Entity carries no email communication item')
  if (!contact._info?.lastUpdated) return refetch('Entity has no _info.lastUpdated to order by')
  return noRefetch('Entity is a full contact')
}
