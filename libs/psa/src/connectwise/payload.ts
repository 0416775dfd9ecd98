import { Type, type Static } from '@sinclair/typebox'
import { canonicalKeys, keysOf, Nullable, OptionalText, Timestamp } from '../schema.js'
import { compile, parseJson, PsaPayloadError } from '../validation.js'

export const ConnectWiseCommunicationItem = Type.Object({
  id: Type.Optional(Type.Integer()),
  type: Type.Optional(Nullable(Type.Object({ id: Type.Optional(Type.Integer()), name: OptionalText }))),
  value: OptionalText,
  extension: OptionalText,
  defaultFlag: Type.Optional(Nullable(Type.Boolean())),
  domain: OptionalText,
  communicationType: OptionalText
})
export type ConnectWiseCommunicationItem = Static<typeof ConnectWiseCommunicationItem>

/** The REST Contact model, also the content of a callback's `Entity` (specs/psa-webhooks.md §2.2). */
export const ConnectWiseContact = Type.Object({
  id: Type.Integer(),
  firstName: OptionalText,
  lastName: OptionalText,
  company: Type.Optional(Nullable(Type.Object({ id: Type.Integer(), identifier: OptionalText, name: OptionalText }))),
  site: Type.Optional(Nullable(Type.Object({ id: Type.Optional(Type.Integer()), name: OptionalText }))),
  title: OptionalText,
  inactiveFlag: Type.Optional(Nullable(Type.Boolean())),
  defaultPhoneNbr: OptionalText,
  defaultPhoneType: OptionalText,
  communicationItems: Type.Optional(Nullable(Type.Array(ConnectWiseCommunicationItem))),
  _info: Type.Optional(Nullable(Type.Object({ lastUpdated: Type.Optional(Nullable(Timestamp)) })))
})
export type ConnectWiseContact = Static<typeof ConnectWiseContact>

export const ConnectWiseAction = Type.Union([Type.Literal('added'), Type.Literal('updated'), Type.Literal('deleted')])
export type ConnectWiseAction = Static<typeof ConnectWiseAction>

/** The callback envelope; `Entity` is a JSON string (or object, or null) parsed separately. */
export const ConnectWiseWebhookEnvelope = Type.Object({
  MessageId: OptionalText,
  FromUrl: OptionalText,
  CompanyId: OptionalText,
  MemberId: OptionalText,
  Action: ConnectWiseAction,
  Type: Type.String(),
  ID: Type.Integer(),
  ProductInstanceId: OptionalText,
  PartnerId: Type.Optional(Type.Unknown()),
  Entity: Type.Optional(Type.Unknown()),
  Metadata: Type.Optional(Nullable(Type.Object({ key_url: OptionalText }))),
  CallbackObjectRecId: Type.Optional(Nullable(Type.Integer()))
})

export type ConnectWiseWebhook = Static<typeof ConnectWiseWebhookEnvelope> & {
  /** `Entity` parsed and validated; null when the callback carried none (e.g. some deletes) */
  contact: ConnectWiseContact | null
}

const envelope = compile('connectwise', ConnectWiseWebhookEnvelope)
const contact = compile('connectwise', ConnectWiseContact)
const envelopeKeys = keysOf(ConnectWiseWebhookEnvelope)

/**
 * Parses and validates a ConnectWise callback (raw body or parsed JSON), including its JSON-string `Entity`.
 * Throws PsaPayloadError naming the field, e.g. `Entity.id must be integer`.
 */
export function parseConnectWiseWebhook (input: Buffer | string | unknown): ConnectWiseWebhook {
  const raw = typeof input === 'string' || Buffer.isBuffer(input) ? parseJson('connectwise', input) : input
  const body = canonicalKeys(raw, envelopeKeys) as Record<string, unknown>
  if (typeof body === 'object' && body !== null && typeof body.Action === 'string') body.Action = body.Action.toLowerCase()
  if (typeof body === 'object' && body !== null && 'Metadata' in body) body.Metadata = canonicalKeys(body.Metadata, ['key_url'])
  const event = envelope.assert(body)
  if (event.Type.toLowerCase() !== 'contact') throw new PsaPayloadError('connectwise', 'Type', 'must be "contact"')
  let entity = event.Entity
  if (typeof entity === 'string') entity = entity.trim() === '' ? null : parseJson('connectwise', entity, 'Entity')
  const parsed = entity === null || entity === undefined ? null : contact.assert(entity, 'Entity')
  if (parsed !== null && parsed.id !== event.ID) throw new PsaPayloadError('connectwise', 'Entity.id', 'must equal ID')
  return { ...event, contact: parsed }
}

/** Validates one Contact from the REST API; `field` prefixes error names (e.g. `[3]`). */
export function parseConnectWiseContact (input: unknown, field = ''): ConnectWiseContact {
  return contact.assert(input, field)
}
