import { Type } from '@sinclair/typebox'
import { Problem } from '@m365/api'

export const TAGS = ['PSA connections']

export const ConnectionParams = Type.Object({ id: Type.String({ format: 'uuid' }) })

/** The 4xx every route of this prefix can answer. */
export const Problems = { 400: Problem, 401: Problem, 403: Problem, 404: Problem }
