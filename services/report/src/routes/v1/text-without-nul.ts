import type { FastifyInstance } from 'fastify'
import { badRequest } from '@m365/service-kit'

/** Where the first string holding U+0000 is, as validation names fields (`body/office365/columns/0/label`). */
function nulAt (value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined
  if (value === null || typeof value !== 'object') return undefined
  for (const [key, item] of Object.entries(value)) {
    const at = nulAt(item, `${path}/${key}`)
    if (at) return at
  }
  return undefined
}

/**
 * Postgres stores no U+0000 in text or jsonb: a name, label or search text holding one failed the
 * query with a 500. Refused up front instead, with the 400 any other invalid field gets.
 */
export function refuseNul (app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const at = nulAt(request.body, 'body') ?? nulAt(request.query, 'querystring')
    if (at) throw badRequest(`${at} must not contain the NUL character (U+0000)`)
  })
}
