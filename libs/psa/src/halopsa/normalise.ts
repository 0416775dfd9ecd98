import { contactTombstone, normaliseEmails, idString, receivedAt, text, toIsoUtc, type NormaliseContext, type NormalizedContact } from '../contact.js'
import type { HaloUser, HaloWebhook } from './payload.js'

/** A User from `GET /api/Users[/{id}]` (specs/psa-webhooks.md §6). */
export function normaliseHaloUser (user: HaloUser, ctx?: NormaliseContext): NormalizedContact {
  const [first, last] = splitName(text(user.name))
  const hasParts = user.firstname != null || user.surname != null
  return {
    psa: 'halopsa',
    tenantKey: ctx?.tenantKey ?? '',
    externalId: String(user.id),
    companyExternalId: idString(user.client_id),
    companyName: text(user.client_name),
    firstName: hasParts ? text(user.firstname) : first,
    lastName: hasParts ? text(user.surname) : last,
    emails: normaliseEmails([
      { address: user.emailaddress, primary: true, sourceField: 'emailaddress' },
      { address: user.email2, primary: false, sourceField: 'email2' },
      { address: user.email3, primary: false, sourceField: 'email3' }
    ]),
    phone: text(user.phonenumber_preferred) ?? text(user.phonenumber) ?? text(user.mobilenumber),
    title: text(user.title),
    active: typeof user.inactive === 'boolean' ? !user.inactive : null,
    updatedAt: toIsoUtc(user.ulastupdate),
    deleted: false,
    partial: false
  }
}

/**
 * Halo's webhook body is not a contact (its shape is undocumented): a delete becomes a tombstone with
 * the id, anything else gives null (refetch `GET /api/Users/{id}` and normalise that).
 */
export function normaliseHaloWebhook (event: HaloWebhook, ctx?: NormaliseContext): NormalizedContact | null {
  if (event.action !== 'delete') return null
  return { ...contactTombstone('halopsa', String(event.userId), ctx), sourceEvent: { receivedAt: receivedAt(ctx), action: 'delete' } }
}

function splitName (name: string | null): [string | null, string | null] {
  if (name === null) return [null, null]
  const space = name.lastIndexOf(' ')
  return space < 0 ? [name, null] : [name.slice(0, space).trim(), name.slice(space + 1).trim()]
}
