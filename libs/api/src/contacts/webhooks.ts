import { Type, type Static } from '@sinclair/typebox'

export const WebhookParams = Type.Object({
  psa: Type.Union([Type.Literal('connectwise'), Type.Literal('autotask'), Type.Literal('halopsa')]),
  connectionId: Type.String({ format: 'uuid' })
})
export type WebhookParams = Static<typeof WebhookParams>

/** What a PSA gets back for a verified, stored delivery (processing happens later). */
export const WebhookAccepted = Type.Object({
  status: Type.Literal('accepted'),
  /** the same delivery was stored before: nothing changed */
  duplicate: Type.Boolean()
})
export type WebhookAccepted = Static<typeof WebhookAccepted>
