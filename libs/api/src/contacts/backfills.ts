import { Type, type Static } from '@sinclair/typebox'

const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()])
const Count = Type.Integer({ minimum: 0 })

/** A pull of every contact of the mapped companies from the PSA; vanished contacts are tombstoned only after a complete pull. */
export const BackfillRun = Type.Object({
  id: Type.String({ format: 'uuid' }),
  connectionId: Type.String({ format: 'uuid' }),
  trigger: Type.Union([Type.Literal('manual'), Type.Literal('schedule')]),
  status: Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('completed'), Type.Literal('failed')]),
  createdAt: Type.String({ format: 'date-time' }),
  startedAt: Nullable(Type.String({ format: 'date-time' })),
  finishedAt: Nullable(Type.String({ format: 'date-time' })),
  pages: Count,
  contactsSeen: Count,
  upserted: Count,
  unchanged: Count,
  tombstoned: Count,
  invalid: Count,
  error: Nullable(Type.String())
})
export type BackfillRun = Static<typeof BackfillRun>
