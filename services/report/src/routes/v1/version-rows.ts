import { Readable } from 'node:stream'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import Negotiator from 'negotiator'
import { decodeCursor, encodeCursor, PageQuery, VersionRowsPage } from '@m365/api'
import { csvRecord } from '../../lib/csv.js'
import { scopeOf } from '../../lib/scope.js'
import type { VersionRows } from '../../repositories/version-rows.js'
import { VersionParams } from './params.js'
import { problems } from './problems.js'
import { matchesEtag, PageCache } from './page-cache.js'
import { readyVersion } from './ready-version.js'

const tags = ['Report versions']

/** Pages kept per process: 32 MiB is ≈ 170 pages of 500 rows (a page is ≈ 190 KB) */
const PAGE_CACHE_BYTES = 32 * 1024 * 1024
/** bumped when a page's JSON changes shape, so no cache or client keeps an older shape under the same tag */
const PAGE_FORMAT = 1

const rows: FastifyPluginAsyncTypebox = async (app) => {
  const pages = new PageCache(PAGE_CACHE_BYTES)
  app.get('/report-versions/:versionId/rows', {
    schema: {
      tags,
      summary: "A version's rows: JSON pages, or the whole version as CSV with Accept: text/csv",
      description: 'JSON: visible columns only, values keyed by column key in column order, paged by row number. ' +
        "CSV (RFC 4180, streamed): a header of the columns' labels, then every row; cells that could start a " +
        "spreadsheet formula (= + - @) are prefixed with ', and cells holding ; are quoted (Excel's separator in many locales). " +
        'limit and cursor apply to JSON only.',
      params: VersionParams,
      querystring: PageQuery,
      response: {
        200: { content: { 'application/json': { schema: VersionRowsPage }, 'text/csv': { schema: Type.String() } } },
        304: Type.Null({ description: 'Not Modified: the page If-None-Match names (its ETag)' }),
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
    // a ready version's rows never change: a page is the same bytes for everyone who may read it (decided above, every time)
    const after = decodeCursor(request.query.cursor, ['int'])?.[0] ?? 0
    const { limit } = request.query
    const key = `${version.id}:${after}:${limit}`
    const etag = `"rows-${PAGE_FORMAT}-${key}"`
    reply.header('etag', etag).header('cache-control', 'private, max-age=86400, immutable').header('vary', 'accept')
    if (matchesEtag(request.headers['if-none-match'], etag)) return reply.code(304).send(null)
    const serializePage = reply.getSerializationFunction('200', 'application/json') ?? JSON.stringify // the 200 schema's, as Fastify would
    let body = pages.get(key)
    if (!body) {
      const items = await app.versionRows.page(version.id, after, limit + 1, columns)
      const more = items.length > limit
      const page = more ? items.slice(0, limit) : items
      const last = page[page.length - 1]
      const json: VersionRowsPage = { columns, items: page, nextCursor: more && last ? encodeCursor([last.rowNumber]) : null }
      body = Buffer.from(serializePage(json))
      pages.set(key, body)
    }
    return reply.type('application/json; charset=utf-8').send(body as never) // already JSON: sent as it is
  })
}

/** CSV when the caller prefers it to JSON by its Accept header's q-values (RFC 9110 §12.5.1); JSON on a tie or none. */
function wantsCsv (accept: string | undefined): boolean {
  return new Negotiator({ headers: { accept } }).mediaType(['application/json', 'text/csv']) === 'text/csv'
}

async function * csvLines (versionRows: VersionRows, versionId: string, columns: Array<{ key: string, label: string }>) {
  yield csvRecord(columns.map((column) => column.label))
  for await (const row of versionRows.all(versionId, columns)) {
    yield csvRecord(columns.map((column) => row.values[column.key]))
  }
}

export default rows
