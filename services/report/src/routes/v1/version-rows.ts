import { Readable } from 'node:stream'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { PageQuery, VersionDiff, DiffQuery, VersionRowsPage } from '@m365/api'
import { conflict, notFound, unprocessable } from '../../lib/errors.js'
import { decodeCursor, encodeCursor } from '../../lib/cursor.js'
import { csvRecord } from '../../lib/csv.js'
import { scopeOf, type Scope } from '../../lib/scope.js'
import { diffVersions } from '../../repositories/version-diff.js'
import type { StoredColumn } from '../../repositories/template-columns.js'
import type { VersionRows } from '../../repositories/version-rows.js'
import { VersionParams } from './params.js'
import { problems } from './problems.js'

const tags = ['Report versions']

const rows: FastifyPluginAsyncTypebox = async (app) => {
  /** A ready version the scope may read, with its visible columns; 404 / 409 otherwise. */
  async function readyVersion (versionId: string, scope: Scope) {
    const version = await app.versions.find(versionId, scope)
    if (!version) throw notFound(`report version ${versionId}`)
    if (version.status !== 'ready') throw conflict('VERSION_NOT_READY', `report version ${versionId} is ${version.status}`)
    const columns = (version.columns as StoredColumn[]).filter((column) => column.visible).map(({ key, label }) => ({ key, label }))
    return { version, columns }
  }

  app.get('/report-versions/:versionId/rows', {
    schema: {
      tags,
      summary: "A version's rows: JSON pages, or the whole version as CSV with Accept: text/csv",
      description: 'JSON: visible columns only, values keyed by column key in column order, paged by row number. ' +
        "CSV (RFC 4180, streamed): a header of the columns' labels, then every row; cells that could start a " +
        "spreadsheet formula (= + - @) are prefixed with '. limit and cursor apply to JSON only.",
      params: VersionParams,
      querystring: PageQuery,
      response: {
        200: { content: { 'application/json': { schema: VersionRowsPage }, 'text/csv': { schema: Type.String() } } },
        ...problems(400, 401, 404, 409)
      }
    }
  }, async (request, reply) => {
    const { version, columns } = await readyVersion(request.params.versionId, scopeOf(request.principal))
    if (wantsCsv(request.headers.accept)) {
      return reply.type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="report-version-${version.number}-${version.id}.csv"`)
        .send(Readable.from(csvLines(app.versionRows, version.id, columns)) as never)
    }
    const after = decodeCursor(request.query.cursor, ['number'] as const)?.[0] ?? 0
    const items = await app.versionRows.page(version.id, after, request.query.limit + 1, columns)
    const more = items.length > request.query.limit
    const page = more ? items.slice(0, request.query.limit) : items
    const last = page[page.length - 1]
    return { columns, items: page, nextCursor: more && last ? encodeCursor([last.rowNumber]) : null }
  })

  app.get('/report-versions/:versionId/diff', {
    schema: {
      tags,
      summary: 'What changed since an earlier version of the same report',
      description: 'Rows added and removed, license changes and MFA status changes from `against` to this version.',
      params: VersionParams,
      querystring: DiffQuery,
      response: { 200: VersionDiff, ...problems(400, 401, 404, 409, 422) }
    }
  }, async (request) => {
    const scope = scopeOf(request.principal)
    const { version } = await readyVersion(request.params.versionId, scope)
    const { version: against } = await readyVersion(request.query.against, scope)
    if (against.reportId !== version.reportId) {
      throw unprocessable('DIFF_OTHER_REPORT', `querystring/against: version ${against.id} belongs to another report`)
    }
    return await diffVersions(app.db, version, against)
  })
}

function wantsCsv (accept: string | undefined): boolean {
  return accept !== undefined && /\btext\/csv\b/i.test(accept) && !/\bapplication\/json\b/i.test(accept)
}

async function * csvLines (versionRows: VersionRows, versionId: string, columns: Array<{ key: string, label: string }>) {
  yield csvRecord(columns.map((column) => column.label))
  for await (const row of versionRows.all(versionId, columns)) {
    yield csvRecord(columns.map((column) => row.values[column.key]))
  }
}

export default rows
