import { randomUUID } from 'node:crypto'
import { and, desc, eq, lt, sql } from 'drizzle-orm'
import { decodeCursor, type PageQuery, type ReportVersion, type ReportVersionSummary, toPage } from '@m365/api'
import type { AnyDb } from '@m365/db'
import { pendingVersions, reports, reportVersions, templates } from '../db/schema.js'
import type { Scope } from '../lib/scope.js'
import { toVersion, toVersionSummary, type VersionRow } from './version-mapping.js'

export function createVersions (db: AnyDb, onPending: () => void) {
  const visible = (scope: Scope) => and(
    scope.clientId ? eq(reportVersions.clientId, scope.clientId) : undefined,
    scope.sharedOnly ? eq(reportVersions.shared, true) : undefined
  )

  async function find (id: string, scope: Scope): Promise<VersionRow | undefined> {
    const [row] = await db.select().from(reportVersions).where(and(eq(reportVersions.id, id), visible(scope)))
    return row
  }

  return {
    find,

    async get (id: string, scope: Scope): Promise<ReportVersion | undefined> {
      const row = await find(id, scope)
      return row && toVersion(row)
    },

    /**
     * Numbers the version under the report's row lock (concurrent POSTs queue there: no gaps, no
     * repeats), freezes the template's columns and merge mode, and queues the build.
     */
    async create (reportId: string): Promise<ReportVersionSummary | undefined> {
      const row = await db.transaction(async (tx) => {
        const [report] = await tx.update(reports).set({ lastVersionNumber: sql`${reports.lastVersionNumber} + 1` })
          .where(eq(reports.id, reportId)).returning()
        if (!report) return undefined
        const [template] = await tx.select().from(templates).where(eq(templates.id, report.templateId))
        if (!template) throw new Error(`report ${reportId} names missing template ${report.templateId}`)
        const [version] = await tx.insert(reportVersions).values({
          id: randomUUID(),
          reportId,
          clientId: report.clientId,
          number: report.lastVersionNumber,
          status: 'building',
          templateId: template.id,
          templateName: template.name,
          templateRevision: template.revision,
          mergeMode: template.mergeMode,
          columns: template.columns,
          createdAt: new Date()
        }).returning()
        if (!version) throw new Error('insert returned no version')
        await tx.insert(pendingVersions).values({ versionId: version.id })
        return version
      })
      if (row) onPending()
      return row && toVersionSummary(row)
    },

    /** Newest first; undefined when the report is not there for this scope. */
    async list (reportId: string, query: PageQuery, scope: Scope) {
      const [report] = await db.select({ id: reports.id }).from(reports)
        .where(and(eq(reports.id, reportId), scope.clientId ? eq(reports.clientId, scope.clientId) : undefined))
      if (!report) return undefined
      const after = decodeCursor(query.cursor, ['int'])
      const rows = await db.select().from(reportVersions)
        .where(and(eq(reportVersions.reportId, reportId), visible(scope), after ? lt(reportVersions.number, after[0]) : undefined))
        .orderBy(desc(reportVersions.number)).limit(query.limit + 1)
      return toPage(rows, query.limit, toVersionSummary, (row) => [row.number])
    },

    /** Sharing changes who sees the version, never its content. Only a ready version can be shared. */
    async setShared (id: string, shared: boolean): Promise<ReportVersion | 'missing' | 'not-ready'> {
      const [row] = await db.update(reportVersions)
        .set({ shared, sharedAt: shared ? sql`coalesce(${reportVersions.sharedAt}, now())` : null })
        .where(and(eq(reportVersions.id, id), eq(reportVersions.status, 'ready'))).returning()
      if (row) return toVersion(row)
      return (await find(id, { clientId: undefined, sharedOnly: false })) ? 'not-ready' : 'missing'
    }
  }
}

export type Versions = ReturnType<typeof createVersions>
