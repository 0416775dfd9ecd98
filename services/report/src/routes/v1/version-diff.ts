import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { DiffQuery, VersionDiff } from '@m365/api'
import { unprocessable } from '@m365/service-kit'
import { scopeOf } from '../../lib/scope.js'
import { diffVersions, visibleInBoth } from '../../repositories/version-diff.js'
import { VersionParams } from './params.js'
import { problems } from './problems.js'
import { readyVersion } from './ready-version.js'

const tags = ['Report versions']

const versionDiff: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/report-versions/:versionId/diff', {
    schema: {
      tags,
      summary: 'What changed since an earlier version of the same report',
      description: 'Rows added and removed, license changes and MFA status changes from `against` to this version. ' +
        'Visible columns only, as for rows and CSV, for every principal: a column counts when both versions show it ' +
        '(each froze its template\'s columns when created). `licenseChanges` is there only with the licenses column, ' +
        '`mfaStatusChanges` only with the MFA status column; `displayName` is the display name (else contact name) cell and ' +
        '`email` the email (else user principal name) cell, each left out when none of its columns is visible. ' +
        '`rowKey` is `o365:<tenantId>:<userId>` when the tenant id and user id columns are visible; otherwise ' +
        '(and for every contact row) an opaque hash, the same for a row in every diff of the report.',
      params: VersionParams,
      querystring: DiffQuery,
      response: { 200: VersionDiff, ...problems(400, 401, 404, 409, 422) }
    }
  }, async (request) => {
    const scope = scopeOf(request.principal)
    const { version, columns } = await readyVersion(app, request.params.versionId, scope)
    const { version: against, columns: againstColumns } = await readyVersion(app, request.query.against, scope)
    if (against.reportId !== version.reportId) {
      throw unprocessable('DIFF_OTHER_REPORT', `querystring/against: version ${against.id} belongs to another report`)
    }
    return await diffVersions(app.db, version, against, visibleInBoth(columns, againstColumns))
  })
}

export default versionDiff
