import { Type, type Static } from '@sinclair/typebox'
import type { ContactAction } from '../contact.js'
import { Nullable, OptionalText, Timestamp } from '../schema.js'
import { compile, parseJson, PsaPayloadError } from '../validation.js'

const OptionalId = Type.Optional(Nullable(Type.Integer()))

/** A HaloPSA User (a PSA contact) from `/api/Users` (specs/psa-webhooks.md §4.2). */
export const HaloUser = Type.Object({
  id: Type.Integer(),
  name: OptionalText,
  firstname: OptionalText,
  surname: OptionalText,
  emailaddress: OptionalText,
  email2: OptionalText,
  email3: OptionalText,
  client_id: OptionalId,
  client_name: OptionalText,
  site_id: OptionalId,
  site_name: OptionalText,
  title: OptionalText,
  phonenumber: OptionalText,
  mobilenumber: OptionalText,
  phonenumber_preferred: OptionalText,
  inactive: Type.Optional(Nullable(Type.Boolean())),
  datecreated: Type.Optional(Nullable(Timestamp)),
  ulastupdate: Type.Optional(Nullable(Timestamp))
})
export type HaloUser = Static<typeof HaloUser>

/** Halo's default webhook body is undocumented (§4.2): an event name and something carrying the user id. */
export const HaloWebhookBody = Type.Object({
  event: OptionalText,
  user: Type.Optional(Nullable(Type.Object({ id: OptionalId }))),
  users_id: OptionalId,
  id: OptionalId
})

export interface HaloWebhook {
  event: string | null
  userId: number
  /** guessed from the event name: "…delet…" → delete, "new/creat/add…" → create, else update */
  action: ContactAction
  body: Static<typeof HaloWebhookBody>
}

const body = compile('halopsa', HaloWebhookBody)
const user = compile('halopsa', HaloUser)

/** Parses a HaloPSA webhook: the event name and the user id (`user.id`, `users_id` or `id`). */
export function parseHaloWebhook (input: Buffer | string | unknown): HaloWebhook {
  const raw = typeof input === 'string' || Buffer.isBuffer(input) ? parseJson('halopsa', input) : input
  const event = body.assert(raw)
  const userId = event.user?.id ?? event.users_id ?? event.id
  if (userId === undefined || userId === null) throw new PsaPayloadError('halopsa', 'user.id', 'is required')
  const name = event.event?.trim() || null
  return { event: name, userId, action: haloAction(name), body: event }
}

export function haloAction (event: string | null): ContactAction {
  if (event === null) return 'update'
  if (/delet|remov/i.test(event)) return 'delete'
  if (/\b(new|creat|add)/i.test(event)) return 'create'
  return 'update'
}

/** Validates one User from the REST API; `field` prefixes error names (e.g. `users[3]`). */
export function parseHaloUser (input: unknown, field = ''): HaloUser {
  return user.assert(input, field)
}
