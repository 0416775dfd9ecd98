import { Readable } from 'node:stream'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { decodeCursor, encodeCursor, PageQuery, VersionRowsPage } from '@m365/api'
import { csvRecord } from '../../lib/csv.js'
import { scopeOf } from '../../lib/scope.js'
import type { VersionRows } from '../../repositories/version-rows.js'
import { VersionParams } from './params.js'
import { problems } from './problems.js'
import { readyVersion } from './ready-version.js'

const tags = ['Report versions']

const rows: FastifyPluginAsyncTypebox = async (app) => {
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
    const { version, columns } = await readyVersion(app, request.params.versionId, scopeOf(request.principal))
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
