import { Type, type Static } from '@sinclair/typebox'
import { defineEvent } from '../define.js'
import { ClientId, Timestamp, Uuid } from './common.js'

export const PsaKind = Type.Union([Type.Literal('connectwise'), Type.Literal('autotask'), Type.Literal('halopsa')])
export type PsaKind = Static<typeof PsaKind>

export const ContactEmail = Type.Object({
  /** trimmed and lower-cased */
  address: Type.String({ minLength: 3 }),
  primary: Type.Boolean(),
  sourceField: Type.String()
})

/** One PSA contact in the normalised model (specs/psa-webhooks.md §6), as contacts-ingest holds it now. */
export const Contact = Type.Object({
  psa: PsaKind,
  connectionId: Uuid,
  externalId: Type.String({ minLength: 1 }),
  companyExternalId: Type.Union([Type.String(), Type.Null()]),
  firstName: Type.Union([Type.String(), Type.Null()]),
  lastName: Type.Union([Type.String(), Type.Null()]),
  emails: Type.Array(ContactEmail),
  phone: Type.Union([Type.String(), Type.Null()]),
  title: Type.Union([Type.String(), Type.Null()]),
  companyName: Type.Union([Type.String(), Type.Null()]),
  active: Type.Union([Type.Boolean(), Type.Null()]),
  updatedAt: Type.Union([Timestamp, Type.Null()])
})
export type Contact = Static<typeof Contact>

/** A contact created or changed; carries the whole current contact, so consumers simply replace. */
export const ContactsUpserted = defineEvent('contacts.upserted', 1, Type.Object({
  clientId: ClientId,
  /** contacts-ingest's change counter for this contact: consumers ignore anything not newer than what they hold. */
  revision: Type.Integer({ minimum: 1 }),
  contact: Contact
}))

export const ContactsDeleted = defineEvent('contacts.deleted', 1, Type.Object({
  clientId: ClientId,
  revision: Type.Integer({ minimum: 1 }),
  psa: PsaKind,
  connectionId: Uuid,
  externalId: Type.String({ minLength: 1 }),
  deletedAt: Timestamp
}))
