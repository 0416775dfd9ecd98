import { createHash } from 'node:crypto'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { Page, PageQuery, ReportVersion, ReportVersionSummary } from '@m365/api'
import { conflict, notFound } from '@m365/service-kit'
import { assertMsp } from '@m365/service-kit/principal'
import { scopeOf } from '../../lib/scope.js'
import { matchesEtag } from './page-cache.js'
import { ReportParams, VersionParams } from './params.js'
import { problems } from './problems.js'

const tags = ['Report versions']

const versions: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/reports/:reportId/versions', {
    schema: {
      tags,
      summary: 'Create the next version of a report',
      description: 'Answers 202 at once with the numbered version in status "building" (Location: the version); ' +
        'poll GET /v1/report-versions/{versionId} until it is "ready". The template as it is now is frozen into the version.',
      params: ReportParams,
      response: { 202: ReportVersionSummary, ...problems(400, 401, 403, 404) }
    }
  }, async (request, reply) => {
    assertMsp(request)
    const version = await app.versions.create(request.params.reportId)
    if (!version) throw notFound(`report ${request.params.reportId}`)
    return reply.code(202).header('location', `/v1/report-versions/${version.id}`).send(version)
  })

  app.get('/reports/:reportId/versions', {
    schema: {
      tags,
      summary: "List a report's versions, newest first (a client principal: shared ones)",
      params: ReportParams,
      querystring: PageQuery,
      response: { 200: Page(ReportVersionSummary), ...problems(400, 401, 404) }
    }
  }, async (request) => {
    const page = await app.versions.list(request.params.reportId, request.query, scopeOf(request.principal))
    if (!page) throw notFound(`report ${request.params.reportId}`)
    return page
  })

  app.get('/report-versions/:versionId', {
    schema: {
      tags,
      summary: 'Get a version: status, frozen columns, license and MFA summaries, merge statistics, source',
      params: VersionParams,
      response: { 200: ReportVersion, 304: Type.Null({ description: 'Not Modified: the version is as If-None-Match names it (its ETag)' }), ...problems(400, 401, 404) }
    }
  }, async (request, reply) => {
    const version = await app.versions.get(request.params.versionId, scopeOf(request.principal))
    if (!version) throw notFound(`report version ${request.params.versionId}`)
    // sharing (and a build finishing) changes the version: its tag is the hash of what is sent, and caches always ask again
    const body = reply.type('application/json; charset=utf-8').serialize(version) as string // by the 200 schema, as Fastify would
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`
    reply.header('etag', etag).header('cache-control', 'private, no-cache')
    if (matchesEtag(request.headers['if-none-match'], etag)) return reply.code(304).send(null)
    return reply.send(body as never) // already JSON: sent as it is
  })

  for (const action of ['share', 'unshare'] as const) {
    app.post(`/report-versions/:versionId/${action}`, {
      schema: {
        tags,
        summary: action === 'share' ? "Show a ready version in the client's portal" : "Hide a version from the client's portal",
        description: 'Changes who may read the version, never its content.',
        params: VersionParams,
        response: { 200: ReportVersion, ...problems(400, 401, 403, 404, 409) }
      }
    }, async (request) => {
      assertMsp(request)
      const { versionId } = request.params
      const result = await app.versions.setShared(versionId, action === 'share')
      if (result === 'missing') throw notFound(`report version ${versionId}`)
      if (result === 'not-ready') throw conflict('VERSION_NOT_READY', `report version ${versionId} is not ready`)
      return result
    })
  }
}

export default versions
