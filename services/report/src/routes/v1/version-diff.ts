import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { DiffQuery, VersionDiff } from '@m365/api'
import { unprocessable } from '@m365/service-kit'
import { scopeOf } from '../../lib/scope.js'
import { diffVersions } from '../../repositories/version-diff.js'
import { VersionParams } from './params.js'
import { problems } from './problems.js'
import { readyVersion } from './ready-version.js'

const tags = ['Report versions']

const versionDiff: FastifyPluginAsyncTypebox = async (app) => {
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
    const { version } = await readyVersion(app, request.params.versionId, scope)
    const { version: against } = await readyVersion(app, request.query.against, scope)
    if (against.reportId !== version.reportId) {
      throw unprocessable('DIFF_OTHER_REPORT', `querystring/against: version ${against.id} belongs to another report`)
    }
    return await diffVersions(app.db, version, against)
  })
}

export default versionDiff
