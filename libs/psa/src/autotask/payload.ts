import { Type, type Static } from '@sinclair/typebox'
import { canonicalKeys, keysOf, Nullable, OptionalText, Timestamp } from '../schema.js'
import { compile, parseJson, PsaPayloadError } from '../validation.js'

/** Contact fields as the REST API and a webhook's `Fields` name them (specs/psa-webhooks.md §3.2). */
export const AutotaskContactFields = Type.Object({
  id: Type.Optional(Type.Integer()),
  firstName: OptionalText,
  lastName: OptionalText,
  title: OptionalText,
  emailAddress: OptionalText,
  emailAddress2: OptionalText,
  emailAddress3: OptionalText,
  phone: OptionalText,
  mobilePhone: OptionalText,
  alternatePhone: OptionalText,
  companyID: Type.Optional(Nullable(Type.Integer())),
  companyLocationID: Type.Optional(Nullable(Type.Integer())),
  externalID: OptionalText,
  /** integer 0/1 in REST; a boolean is accepted too */
  isActive: Type.Optional(Nullable(Type.Union([Type.Integer({ minimum: 0, maximum: 1 }), Type.Boolean()]))),
  primaryContact: Type.Optional(Nullable(Type.Boolean())),
  createDate: Type.Optional(Nullable(Timestamp)),
  lastActivityDate: Type.Optional(Nullable(Timestamp)),
  lastModifiedDate: Type.Optional(Nullable(Timestamp))
})
export type AutotaskContactFields = Static<typeof AutotaskContactFields>

/** A Contact from the REST API: like Fields, but with its id. */
export const AutotaskContact = Type.Object({ ...AutotaskContactFields.properties, id: Type.Integer() })
export type AutotaskContact = Static<typeof AutotaskContact>

export const AutotaskAction = Type.Union([
  Type.Literal('Create'), Type.Literal('Update'), Type.Literal('Delete'), Type.Literal('Deactivated')
])
export type AutotaskAction = Static<typeof AutotaskAction>

export const AutotaskWebhook = Type.Object({
  Action: AutotaskAction,
  Guid: Type.String({ minLength: 1 }),
  EntityType: Type.String(),
  Id: Type.Integer(),
  Fields: Type.Optional(AutotaskContactFields),
  EventTime: Type.Optional(Timestamp),
  SequenceNumber: Type.Optional(Type.Integer()),
  PersonID: Type.Optional(Nullable(Type.Integer()))
})
export type AutotaskWebhook = Static<typeof AutotaskWebhook>

const webhook = compile('autotask', AutotaskWebhook)
const contact = compile('autotask', AutotaskContact)
const envelopeKeys = keysOf(AutotaskWebhook)
const fieldKeys = keysOf(AutotaskContactFields)
const actions = ['Create', 'Update', 'Delete', 'Deactivated']

/**
 * Parses and validates an Autotask contact webhook (raw body or parsed JSON). Key casing is forgiven
 * (`PersonId`, `emailaddress`), `Action` casing too; `EntityType` must be Contact or Contacts.
 * Throws PsaPayloadError naming the field.
 */
export function parseAutotaskWebhook (input: Buffer | string | unknown): AutotaskWebhook {
  const raw = typeof input === 'string' || Buffer.isBuffer(input) ? parseJson('autotask', input) : input
  const body = canonicalKeys(raw, envelopeKeys) as Record<string, unknown>
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    if (typeof body.Action === 'string') {
      const action = body.Action
      body.Action = actions.find((a) => a.toLowerCase() === action.toLowerCase()) ?? action
    }
    if ('Fields' in body) body.Fields = canonicalKeys(body.Fields, fieldKeys)
  }
  const event = webhook.assert(body)
  if (!/^contacts?$/i.test(event.EntityType)) {
    throw new PsaPayloadError('autotask', 'EntityType', 'must be Contact')
  }
  if (event.Fields?.id !== undefined && event.Fields.id !== event.Id) {
    throw new PsaPayloadError('autotask', 'Fields.id', 'must equal Id')
  }
  return event
}

/** Validates one Contact from the REST API; `field` prefixes error names (e.g. `items[3]`). */
export function parseAutotaskContact (input: unknown, field = ''): AutotaskContact {
  return contact.assert(canonicalKeys(input, fieldKeys), field)
}
