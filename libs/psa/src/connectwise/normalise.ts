import {
  contactTombstone, normaliseEmails, idString, receivedAt, text, toIsoUtc,
  type ContactAction, type NormaliseContext, type NormalizedContact
} from '../contact.js'
import type { ConnectWiseAction, ConnectWiseCommunicationItem, ConnectWiseContact, ConnectWiseWebhook } from './payload.js'

const actions: Record<ConnectWiseAction, ContactAction> = { added: 'create', updated: 'update', deleted: 'delete' }

/** how far a callback Entity's `_info.lastUpdated` may be ahead of the delivery's receipt (clock skew) */
export const CONNECTWISE_MAX_CLOCK_SKEW_MS = 5 * 60_000

/** A Contact from the REST API or a callback's Entity (specs/psa-webhooks.md §6). */
export function normaliseConnectWiseContact (contact: ConnectWiseContact, ctx?: NormaliseContext): NormalizedContact {
  const items = contact.communicationItems ?? []
  const phoneItem = items.find((item) => isType(item, 'phone') && item.defaultFlag === true)
  return {
    psa: 'connectwise',
    tenantKey: ctx?.tenantKey ?? '',
    externalId: String(contact.id),
    companyExternalId: idString(contact.company?.id),
    companyName: text(contact.company?.name),
    firstName: text(contact.firstName),
    lastName: text(contact.lastName),
    emails: normaliseEmails(items.flatMap((item, i) => isType(item, 'email')
      ? [{ address: item.value, primary: item.defaultFlag === true, sourceField: `communicationItems[${i}]` }]
      : [])),
    phone: text(contact.defaultPhoneNbr) ?? text(phoneItem?.value),
    title: text(contact.title),
    active: typeof contact.inactiveFlag === 'boolean' ? !contact.inactiveFlag : null,
    updatedAt: toIsoUtc(contact._info?.lastUpdated),
    deleted: false,
    partial: false
  }
}

/**
 * A callback as a contact. A `deleted` callback without Entity becomes a tombstone with only the id;
 * an added/updated one without Entity gives null (nothing to apply: refetch). An Entity's `_info.lastUpdated` later than
 * receipt plus CONNECTWISE_MAX_CLOCK_SKEW_MS counts as that: a future date would make every real update look stale.
 */
export function normaliseConnectWiseWebhook (event: ConnectWiseWebhook, ctx?: NormaliseContext): NormalizedContact | null {
  const deleted = event.Action === 'deleted'
  if (event.contact === null && !deleted) return null
  const base = event.contact === null
    ? contactTombstone('connectwise', String(event.ID), ctx)
    : normaliseConnectWiseContact(event.contact, ctx)
  const id = text(event.MessageId)
  const received = receivedAt(ctx)
  return {
    ...base,
    updatedAt: notAfter(base.updatedAt, Date.parse(received) + CONNECTWISE_MAX_CLOCK_SKEW_MS),
    deleted,
    sourceEvent: { ...(id === null ? {} : { id }), receivedAt: received, action: actions[event.Action] }
  }
}

function notAfter (updatedAt: string | null, limitMs: number): string | null {
  if (updatedAt === null || !Number.isFinite(limitMs) || Date.parse(updatedAt) <= limitMs) return updatedAt
  return new Date(limitMs).toISOString()
}

export function hasEmailItems (contact: ConnectWiseContact): boolean {
  return (contact.communicationItems ?? []).some((item) => isType(item, 'email') && text(item.value) !== null)
}

function isType (item: ConnectWiseCommunicationItem, wanted: 'email' | 'phone'): boolean {
  const type = item.communicationType ?? item.type?.name
  if (typeof type !== 'string') return false
  return type.toLowerCase().replace('-', '') === wanted
}
