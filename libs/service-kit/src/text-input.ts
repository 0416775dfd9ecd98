import type { FastifyInstance } from 'fastify'
import { badRequest } from './errors.js'

/** Where the first string holding U+0000 is, as validation names fields (`body/office365/columns/0/label`). */
function nulAt (value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined
  // raw bodies (webhooks verify their bytes) are not text fields
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return undefined
  for (const [key, item] of Object.entries(value)) {
    const at = nulAt(item, `${path}/${key}`)
    if (at) return at
  }
  return undefined
}

/**
 * Postgres stores no U+0000 in text or jsonb, and JSON schemas accept it: a name, label or search text
 * holding one failed its query with a 500. Every route refuses it up front instead, with the 400 any
 * other invalid field gets, so nothing is written.
 */
export function refuseNulText (app: FastifyInstance): void {
  app.addHook('preValidation', (request, _reply, done) => {
    const at = nulAt(request.params, 'params') ?? nulAt(request.query, 'querystring') ?? nulAt(request.body, 'body')
    done(at ? badRequest(`${at} must not contain the NUL character (U+0000)`) : undefined)
  })
}
