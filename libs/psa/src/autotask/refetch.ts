import { noRefetch, refetch, type RefetchDecision } from '../refetch.js'
import { AUTOTASK_EMAIL_FIELDS } from './normalise.js'
import type { AutotaskWebhook } from './payload.js'

/**
 * Autotask webhooks carry only subscribed fields that changed plus display-always ones (§3.2).
 * Refetch `GET /V1.0/Contacts/{Id}` when that subset cannot be applied as a patch.
 */
export function autotaskNeedsRefetch (event: AutotaskWebhook): RefetchDecision {
  if (event.Action === 'Deactivated') return noRefetch('webhook deactivated: not a contact change; confirm via GET /ContactWebhooks/{id}')
  if (event.Action === 'Delete') return noRefetch('delete: tombstone by Id')
  const fields = event.Fields ?? {}
  if (event.Action === 'Create') return refetch('create carries only the subscribed fields')
  const emailSlots = AUTOTASK_EMAIL_FIELDS.filter((key) => key in fields).length
  if (emailSlots > 0 && emailSlots < AUTOTASK_EMAIL_FIELDS.length) return refetch('only some email fields sent: the email list is incomplete')
  if (fields.lastModifiedDate == null && event.EventTime === undefined) return refetch('no lastModifiedDate or EventTime to order by')
  return noRefetch('partial update: patch the present fields')
}
