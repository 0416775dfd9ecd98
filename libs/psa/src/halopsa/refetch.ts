import { refetch, type RefetchDecision } from '../refetch.js'
import type { HaloWebhook } from './payload.js'

/** Halo's webhook body is a hint only (§4.2): always refetch `GET /api/Users/{id}`; a 404 confirms a delete. */
export function haloNeedsRefetch (event: HaloWebhook): RefetchDecision {
  return event.action === 'delete'
    ? refetch('delete event: confirm with GET (404 = deleted)')
    : refetch('Halo webhooks carry no reliable contact: fetch the user')
}
