import { Type } from '@sinclair/typebox'
import { DiffQuery, Page, PageQuery, ReportCreate, VersionDiff, VersionRowsPage } from '@m365/api'
import { ref } from '../schemas.js'
import type { ForwardRoute } from '../forward.js'
import { ClientParams, ReportParams, VersionParams } from './params.js'

/** report: a client's reports. */
export const reportRoutes: ForwardRoute[] = [
  {
    method: 'POST',
    url: '/clients/:clientId/reports',
    operationId: 'createReport',
    summary: 'Create a report of a client from a template',
    params: ClientParams,
    body: ReportCreate,
    responses: { 201: ref('Report') },
    problems: [422]
  },
  {
    method: 'GET',
    url: '/clients/:clientId/reports',
    operationId: 'listReports',
    summary: "List a client's reports, newest first",
    params: ClientParams,
    querystring: PageQuery,
    responses: { 200: Page(ref('Report')) }
  },
  {
    method: 'GET',
    url: '/reports/:reportId',
    operationId: 'getReport',
    summary: 'Get a report and its newest version (a client token: its newest shared one)',
    params: ReportParams,
    responses: { 200: ref('Report') }
  }
]

/** report: immutable report versions; a client token sees the versions shared to the portal. */
export const versionRoutes: ForwardRoute[] = [
  {
    method: 'POST',
    url: '/reports/:reportId/versions',
    operationId: 'createReportVersion',
    summary: 'Create the next version of a report',
    description: 'Answers 202 at once with the numbered version in status "building" (Location: the version); ' +
      'poll GET /v1/report-versions/{versionId} until it is "ready". The template as it is now is frozen into the version.',
    params: ReportParams,
    responses: { 202: ref('ReportVersionSummary') }
  },
  {
    method: 'GET',
    url: '/reports/:reportId/versions',
    operationId: 'listReportVersions',
    summary: "List a report's versions, newest first (a client token: shared ones)",
    params: ReportParams,
    querystring: PageQuery,
    responses: { 200: Page(ref('ReportVersionSummary')) }
  },
  {
    method: 'GET',
    url: '/report-versions/:versionId',
    operationId: 'getReportVersion',
    summary: 'Get a version: status, frozen columns, license and MFA summaries, merge statistics, source',
    description: 'With an ETag (Cache-Control: private, no-cache): If-None-Match with it answers 304 while the version is unchanged.',
    params: VersionParams,
    responses: { 200: ref('ReportVersion'), 304: null }
  },
  {
    method: 'GET',
    url: '/report-versions/:versionId/rows',
    operationId: 'getReportVersionRows',
    summary: "A version's rows: JSON pages, or the whole version as CSV with Accept: text/csv",
    description: 'JSON: visible columns only, values keyed by column key in column order, paged by row number. ' +
      "CSV (RFC 4180, streamed): a header of the columns' labels, then every row. limit and cursor apply to JSON only. " +
      'A JSON page never changes (versions are immutable): it has an ETag, and If-None-Match with it answers 304.',
    params: VersionParams,
    querystring: PageQuery,
    responses: {
      200: {
        description: 'The rows',
        content: { 'application/json': { schema: VersionRowsPage }, 'text/csv': { schema: Type.String() } }
      },
      304: null
    },
    problems: [409]
  },
  {
    method: 'GET',
    url: '/report-versions/:versionId/diff',
    operationId: 'getReportVersionDiff',
    summary: 'What changed since an earlier version of the same report',
    description: 'Rows added and removed, license changes and MFA status changes from `against` (a ready version of the same ' +
      'report) to this one. Visible columns only, as for rows and CSV: a column counts when both versions show it, so ' +
      '`licenseChanges` needs the licenses column and `mfaStatusChanges` the MFA status column in both. Each list holds at ' +
      'most 1,000 items with its total. `rowKey` names a row the same way in every diff of the report.',
    params: VersionParams,
    querystring: DiffQuery,
    responses: { 200: VersionDiff },
    problems: [409, 422]
  },
  {
    method: 'POST',
    url: '/report-versions/:versionId/share',
    operationId: 'shareReportVersion',
    summary: "Show a ready version in the client's portal",
    params: VersionParams,
    responses: { 200: ref('ReportVersion') },
    problems: [409]
  },
  {
    method: 'POST',
    url: '/report-versions/:versionId/unshare',
    operationId: 'unshareReportVersion',
    summary: "Hide a version from the client's portal",
    params: VersionParams,
    responses: { 200: ref('ReportVersion') },
    problems: [409]
  }
]
