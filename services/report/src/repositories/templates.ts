import { randomUUID } from 'node:crypto'
import { and, asc, count, eq, sql } from 'drizzle-orm'
import { decodeCursor, type PageQuery, type Template, type TemplateBody, type TemplatePatch, toPage } from '@m365/api'
import type { AnyDb } from '@m365/db'
import { reports, templates } from '../db/schema.js'
import { DEFAULT_TEMPLATE, DEFAULT_TEMPLATE_ID, normaliseColumns, toApiColumns, type StoredColumn } from './template-columns.js'

type Row = typeof templates.$inferSelect

export const toTemplate = (row: Row): Template => ({
  id: row.id,
  name: row.name,
  isDefault: row.isDefault,
  office365: { mergeMode: row.mergeMode as Template['office365']['mergeMode'], columns: toApiColumns(row.columns as StoredColumn[]) },
  revision: row.revision,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString()
})

export type DeleteTemplateResult = 'deleted' | 'missing' | 'default' | 'in-use'

export function createTemplates (db: AnyDb) {
  async function get (id: string): Promise<Row | undefined> {
    const [row] = await db.select().from(templates).where(eq(templates.id, id))
    return row
  }

  return {
    get,

    /** The default template exists once; a restart leaves an edited one as it is. */
    async ensureDefault (): Promise<void> {
      await db.insert(templates).values({ id: DEFAULT_TEMPLATE_ID, isDefault: true, ...DEFAULT_TEMPLATE }).onConflictDoNothing()
    },

    async list (query: PageQuery) {
      const after = decodeCursor(query.cursor, ['text', 'uuid'])
      const name = sql`lower(${templates.name})`
      const rows = await db.select({ row: templates, sortKey: sql<string>`${name}` }).from(templates)
        .where(after ? sql`(${name}, ${templates.id}) > (${after[0]}, ${after[1]}::uuid)` : undefined)
        .orderBy(asc(name), asc(templates.id)).limit(query.limit + 1)
      return toPage(rows, query.limit, ({ row }) => toTemplate(row), ({ row, sortKey }) => [sortKey, row.id])
    },

    async create (body: TemplateBody): Promise<Row> {
      const part = body.office365
        ? { mergeMode: body.office365.mergeMode, columns: normaliseColumns(body.office365.columns) }
        : { mergeMode: DEFAULT_TEMPLATE.mergeMode, columns: DEFAULT_TEMPLATE.columns }
      const now = new Date()
      const [row] = await db.insert(templates).values({ id: randomUUID(), name: body.name, ...part, createdAt: now, updatedAt: now }).returning()
      return row as Row
    },

    /** PUT and PATCH alike: what is given replaces; the revision goes up by one. */
    async update (id: string, change: TemplatePatch): Promise<Row | undefined> {
      const columns = change.office365?.columns ? normaliseColumns(change.office365.columns) : undefined
      const [row] = await db.update(templates).set({
        ...(change.name !== undefined && { name: change.name }),
        ...(change.office365?.mergeMode !== undefined && { mergeMode: change.office365.mergeMode }),
        ...(columns && { columns }),
        revision: sql`${templates.revision} + 1`,
        updatedAt: new Date()
      }).where(eq(templates.id, id)).returning()
      return row
    },

    async delete (id: string): Promise<DeleteTemplateResult> {
      return await db.transaction(async (tx) => {
        const [row] = await tx.select().from(templates).where(eq(templates.id, id)).for('update')
        if (!row) return 'missing'
        if (row.isDefault) return 'default'
        const [used] = await tx.select({ n: count() }).from(reports).where(eq(reports.templateId, id))
        if ((used?.n ?? 0) > 0) return 'in-use'
        await tx.delete(templates).where(and(eq(templates.id, id), eq(templates.isDefault, false)))
        return 'deleted'
      })
    }
  }
}

export type Templates = ReturnType<typeof createTemplates>
