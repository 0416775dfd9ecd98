import { Type, type Static, type TSchema } from '@sinclair/typebox'

/** RFC 9457 problem details: every error the API sends has this shape (application/problem+json). */
export const Problem = Type.Object({
  type: Type.String(),
  title: Type.String(),
  status: Type.Integer(),
  detail: Type.String(),
  instance: Type.Optional(Type.String()),
  code: Type.Optional(Type.String())
}, { $id: 'Problem' })
export type Problem = Static<typeof Problem>

export const MAX_PAGE_SIZE = 500

export const PageQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 50 }),
  // a cursor carries the last item's sort values: a name of up to 1,000 characters (4 bytes each in UTF-8) and ids, in base64url
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 8192, description: 'nextCursor of the previous page' }))
})
export type PageQuery = Static<typeof PageQuery>

/** A cursor-paged list: follow nextCursor until it is null. */
export const Page = <T extends TSchema>(item: T) => Type.Object({
  items: Type.Array(item),
  nextCursor: Type.Union([Type.String(), Type.Null()])
})

export const IdParam = (name: string) => Type.Object({ [name]: Type.String({ format: 'uuid' }) })
