import { and, asc, eq, gt } from 'drizzle-orm'
import type { CellValue, VersionRow } from '@m365/api'
import type { AnyDb } from '@m365/db'
import { versionRows } from '../db/schema.js'

export interface ColumnRef { key: string, label: string }

/** The row's values for the given (visible) columns, in that order; a column the row lacks is null. */
export function orderedValues (values: Record<string, CellValue>, columns: ColumnRef[]): Record<string, CellValue> {
  const ordered: Record<string, CellValue> = {}
  for (const column of columns) ordered[column.key] = values[column.key] ?? null
  return ordered
}

export function createVersionRows (db: AnyDb) {
  /** Keyset on the row number: rows after `afterRow`, at most `limit`. */
  async function page (versionId: string, afterRow: number, limit: number, columns: ColumnRef[]): Promise<VersionRow[]> {
    const rows = await db.select({ rowNumber: versionRows.rowNumber, values: versionRows.values }).from(versionRows)
      .where(and(eq(versionRows.versionId, versionId), gt(versionRows.rowNumber, afterRow)))
      .orderBy(asc(versionRows.rowNumber)).limit(limit)
    return rows.map((row) => ({ rowNumber: row.rowNumber, values: orderedValues(row.values as Record<string, CellValue>, columns) }))
  }

  return {
    page,

    /** Every row in order, fetched `chunk` at a time (for streaming exports). */
    async * all (versionId: string, columns: ColumnRef[], chunk = 1_000): AsyncGenerator<VersionRow> {
      let after = 0
      while (true) {
        const rows = await page(versionId, after, chunk, columns)
        yield * rows
        const last = rows[rows.length - 1]
        if (rows.length < chunk || !last) return
        after = last.rowNumber
      }
    }
  }
}

export type VersionRows = ReturnType<typeof createVersionRows>
