import type { ReportVersion, ReportVersionSummary } from '@m365/api'
import type { reportVersions } from '../db/schema.js'
import { toApiColumns, type StoredColumn } from './template-columns.js'

export type VersionRow = typeof reportVersions.$inferSelect

const iso = (date: Date | null) => date === null ? null : date.toISOString()

export const toVersionSummary = (row: VersionRow): ReportVersionSummary => ({
  id: row.id,
  reportId: row.reportId,
  clientId: row.clientId,
  number: row.number,
  status: row.status as ReportVersionSummary['status'],
  rowCount: row.rowCount,
  shared: row.shared,
  sharedAt: iso(row.sharedAt),
  createdAt: row.createdAt.toISOString(),
  builtAt: iso(row.builtAt)
})

export const toVersion = (row: VersionRow): ReportVersion => ({
  ...toVersionSummary(row),
  template: {
    id: row.templateId, name: row.templateName, revision: row.templateRevision, mergeMode: row.mergeMode as ReportVersion['template']['mergeMode']
  },
  columns: toApiColumns(row.columns as StoredColumn[]),
  licenseSummary: row.licenseSummary as ReportVersion['licenseSummary'],
  mfaSummary: row.mfaSummary as ReportVersion['mfaSummary'],
  mergeStats: row.mergeStats as ReportVersion['mergeStats'],
  source: row.source as ReportVersion['source'],
  error: row.error
})
