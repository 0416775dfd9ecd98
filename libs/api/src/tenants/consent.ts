import { Type, type Static } from '@sinclair/typebox'
import { Problem } from '../common.js'

// GET /v1/connect/callback: where Microsoft's admin consent redirects (public; the signed, single-use state is the authority).

const Uuid = Type.String({ format: 'uuid' })

export const ConsentCallbackQuery = Type.Object({
  admin_consent: Type.Optional(Type.String({ maxLength: 20 })),
  tenant: Type.Optional(Type.String({ maxLength: 200 })),
  state: Type.Optional(Type.String({ maxLength: 500 })),
  scope: Type.Optional(Type.String({ maxLength: 2000 })),
  error: Type.Optional(Type.String({ maxLength: 200 })),
  error_description: Type.Optional(Type.String({ maxLength: 4000 }))
})
export type ConsentCallbackQuery = Static<typeof ConsentCallbackQuery>

/** With Accept: application/json; browsers get a small HTML page saying the same. */
export const ConsentCallbackConnected = Type.Object({
  outcome: Type.Literal('connected'),
  clientId: Uuid,
  tenantId: Uuid,
  displayName: Type.Union([Type.String(), Type.Null()]),
  alreadyConnected: Type.Boolean()
})
export type ConsentCallbackConnected = Static<typeof ConsentCallbackConnected>

export const ConsentCallbackFailed = Type.Composite([Problem, Type.Object({
  outcome: Type.Literal('failed'),
  error: Type.Optional(Type.String({ description: 'Microsoft\'s error code from the redirect' })),
  errorDescription: Type.Optional(Type.String({ description: 'Microsoft\'s error_description' }))
})])
export type ConsentCallbackFailed = Static<typeof ConsentCallbackFailed>
