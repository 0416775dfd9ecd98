import type { FastifyInstance } from 'fastify'
import { conflict, notFound } from '@m365/service-kit'
import type { Scope } from '../../lib/scope.js'
import type { StoredColumn } from '../../repositories/template-columns.js'

/** A ready version the scope may read, with its visible columns; 404 (not there for the scope) or 409 (not built). */
export async function readyVersion (app: FastifyInstance, versionId: string, scope: Scope) {
  const version = await app.versions.find(versionId, scope)
  if (!version) throw notFound(`report version ${versionId}`)
  if (version.status !== 'ready') throw conflict('VERSION_NOT_READY', `report version ${versionId} is ${version.status}`)
  const columns = (version.columns as StoredColumn[]).filter((column) => column.visible).map(({ key, label }) => ({ key, label }))
  return { version, columns }
}
