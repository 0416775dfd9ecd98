import { randomUUID } from 'node:crypto'
import { and, desc, eq, inArray, sql, type SQL } from 'drizzle-orm'
import { decodeCursor, type PageQuery, type Report, type ReportCreate, toPage } from '@m365/api'
import type { AnyDb } from '@m365/db'
import { clients, reports, reportVersions, templates } from '../db/schema.js'
import type { Scope } from '../lib/scope.js'
import { DEFAULT_TEMPLATE_ID } from './template-columns.js'
import { toVersionSummary, type VersionRow } from './version-mapping.js'

type Row = typeof reports.$inferSelect

export function createReports (db: AnyDb) {
  /** Each report with its newest version (a client principal's: newest shared), in one query. */
  async function withLatest (rows: Row[], scope: Scope): Promise<Report[]> {
    if (rows.length === 0) return []
    const latest = await db.selectDistinctOn([reportVersions.reportId]).from(reportVersions)
      .where(and(inArray(reportVersions.reportId, rows.map((row) => row.id)), scope.sharedOnly ? eq(reportVersions.shared, true) : undefined))
      .orderBy(reportVersions.reportId, desc(reportVersions.number))
    const byReport = new Map(latest.map((version) => [version.reportId, version]))
    return rows.map((row) => toReport(row, byReport.get(row.id)))
  }

  function visible (scope: Scope): SQL | undefined {
    return scope.clientId ? eq(reports.clientId, scope.clientId) : undefined
  }

  return {
    async get (id: string, scope: Scope): Promise<Report | undefined> {
      const rows = await db.select().from(reports).where(and(eq(reports.id, id), visible(scope)))
      return (await withLatest(rows, scope))[0]
    },

    /** Newest first. */
    async list (clientId: string, query: PageQuery, scope: Scope) {
      const after = decodeCursor(query.cursor, ['timestamp', 'uuid'])
      const rows = await db.select().from(reports).where(and(
        eq(reports.clientId, clientId), visible(scope),
        after ? sql`(${reports.createdAt}, ${reports.id}) < (${after[0]}::timestamptz, ${after[1]}::uuid)` : undefined
      )).orderBy(desc(reports.createdAt), desc(reports.id)).limit(query.limit + 1)
      const page = toPage(rows, query.limit, (row) => row, (row) => [row.createdAt.toISOString(), row.id])
      return { items: await withLatest(page.items, scope), nextCursor: page.nextCursor }
    },

    async create (clientId: string, body: ReportCreate): Promise<Report | 'client-missing' | 'template-missing'> {
      const templateId = body.templateId ?? DEFAULT_TEMPLATE_ID
      return await db.transaction(async (tx) => {
        const [client] = await tx.select({ id: clients.id }).from(clients).where(eq(clients.id, clientId)).for('share')
        if (!client) return 'client-missing'
        const [template] = await tx.select({ id: templates.id }).from(templates).where(eq(templates.id, templateId)).for('share')
        if (!template) return 'template-missing'
        // milliseconds only, so the keyset cursor (an ISO string) compares exactly
        const [row] = await tx.insert(reports).values({ id: randomUUID(), clientId, name: body.name, templateId, createdAt: new Date() }).returning()
        return toReport(row as Row, undefined)
      })
    }
  }
}

function toReport (row: Row, latest: VersionRow | undefined): Report {
  return {
    id: row.id,
    clientId: row.clientId,
    name: row.name,
    templateId: row.templateId,
    createdAt: row.createdAt.toISOString(),
    latestVersion: latest ? toVersionSummary(latest) : null
  }
}

export type Reports = ReturnType<typeof createReports>
