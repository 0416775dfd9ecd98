import {
  normaliseEmails, idString, receivedAt, text, toIsoUtc,
  type ContactAction, type ContactField, type NormaliseContext, type NormalizedContact
} from '../contact.js'
import type { AutotaskAction, AutotaskContact, AutotaskContactFields, AutotaskWebhook } from './payload.js'

const actions: Record<Exclude<AutotaskAction, 'Deactivated'>, ContactAction> = {
  Create: 'create', Update: 'update', Delete: 'delete'
}

export const AUTOTASK_EMAIL_FIELDS = ['emailAddress', 'emailAddress2', 'emailAddress3'] as const

/** A full Contact from the REST API (`GET /V1.0/Contacts/{id}`, `Contacts/query`). */
export function normaliseAutotaskContact (contact: AutotaskContact, ctx?: NormaliseContext): NormalizedContact {
  return { ...fromFields(contact, String(contact.id), ctx), partial: false, deleted: false }
}

/**
 * A contact webhook as a partial contact: only what `Fields` carried (`presentFields`), everything else
 * unknown. Null for `Deactivated`, which is about the webhook, not a contact.
 */
export function normaliseAutotaskWebhook (event: AutotaskWebhook, ctx?: NormaliseContext): NormalizedContact | null {
  if (event.Action === 'Deactivated') return null
  const fields = event.Fields ?? {}
  const seq = event.SequenceNumber
  const eventTime = toIsoUtc(event.EventTime)
  return {
    ...fromFields(fields, String(event.Id), ctx),
    deleted: event.Action === 'Delete',
    partial: true,
    presentFields: presentFields(fields),
    sourceEvent: {
      id: `${event.Guid}:${event.Id}:${seq ?? event.EventTime ?? ''}`,
      ...(seq === undefined ? {} : { seq }),
      ...(eventTime === null ? {} : { eventTime }),
      receivedAt: receivedAt(ctx),
      action: actions[event.Action]
    }
  }
}

function fromFields (f: AutotaskContactFields, externalId: string, ctx: NormaliseContext | undefined) {
  return {
    psa: 'autotask' as const,
    tenantKey: ctx?.tenantKey ?? '',
    externalId,
    companyExternalId: idString(f.companyID),
    companyName: null,
    firstName: text(f.firstName),
    lastName: text(f.lastName),
    emails: normaliseEmails(AUTOTASK_EMAIL_FIELDS.map((field, i) => ({ address: f[field], primary: i === 0, sourceField: field }))),
    phone: text(f.phone) ?? text(f.mobilePhone),
    title: text(f.title),
    active: f.isActive === undefined || f.isActive === null ? null : f.isActive === 1 || f.isActive === true,
    updatedAt: toIsoUtc(f.lastModifiedDate)
  }
}

/**
 * Normalised fields a partial webhook says something definite about. Emails only when all three address
 * fields came (otherwise the list would be incomplete); phone only when `phone` came with a value or
 * together with `mobilePhone` (its fallback).
 */
export function presentFields (f: AutotaskContactFields): ContactField[] {
  const has = (key: keyof AutotaskContactFields) => key in f
  const present: ContactField[] = []
  if (has('firstName')) present.push('firstName')
  if (has('lastName')) present.push('lastName')
  if (AUTOTASK_EMAIL_FIELDS.every(has)) present.push('emails')
  if ((has('phone') && text(f.phone) !== null) || (has('phone') && has('mobilePhone'))) present.push('phone')
  if (has('title')) present.push('title')
  if (has('companyID')) present.push('companyExternalId')
  if (has('isActive')) present.push('active')
  if (has('lastModifiedDate')) present.push('updatedAt')
  return present
}
