import { eq, sql } from 'drizzle-orm'
import { ReportVersionCreated } from '@m365/contracts'
import { isColumnKey, type MergeMode } from '@m365/api'
import { queryRows, type AnyDb } from '@m365/db'
import { enqueue } from '@m365/service-kit/outbox'
import { outbox, pendingVersions, reportVersions } from '../db/schema.js'
import type { StoredColumn } from '../repositories/template-columns.js'
import { insertRows } from './insert-rows.js'
import { stagePairs } from './pairs.js'
import { licenseSummary, mergeStats, mfaSummary, versionSource } from './summaries.js'

export type BuildResult = { versionId: string, outcome: 'built' } | { versionId: string, outcome: 'failed', error: unknown } | undefined

/**
 * Builds the oldest due pending version, all in ONE repeatable-read transaction: rows, summaries and
 * source see one snapshot of the read model, and a crash leaves the version pending (no half version)
 * for the next round or the next process. SKIP LOCKED lets replicas build different versions.
 */
export async function buildNextVersion (db: AnyDb): Promise<BuildResult> {
  let versionId: string | undefined
  try {
    return await db.transaction(async (tx) => {
      const [pending] = await queryRows<{ versionId: string }>(tx, sql`
        select version_id as "versionId" from report.pending_versions where next_attempt_at <= now()
        order by next_attempt_at, version_id limit 1 for update skip locked`)
      if (!pending) return undefined
      versionId = pending.versionId
      await buildVersion(tx, pending.versionId)
      return { versionId: pending.versionId, outcome: 'built' as const }
    }, { isolationLevel: 'repeatable read' })
  } catch (err) {
    if (versionId === undefined) throw err
    return { versionId, outcome: 'failed', error: err }
  }
}

async function buildVersion (tx: AnyDb, versionId: string): Promise<void> {
  const [version] = await tx.select().from(reportVersions).where(eq(reportVersions.id, versionId))
  if (!version) throw new Error(`pending version ${versionId} has no version row`)
  const columns = version.columns as StoredColumn[]
  const keys = columns.filter((column) => column.visible).map((column) => column.key).filter(isColumnKey)
  const { clientId } = version
  const mergeMode = version.mergeMode as MergeMode
  await stagePairs(tx, clientId)
  const rowCounts = await insertRows(tx, { versionId, clientId, mergeMode, keys })
  const stats = await mergeStats(tx, clientId, mergeMode, rowCounts)
  const builtAt = new Date()
  await tx.update(reportVersions).set({
    status: 'ready',
    rowCount: stats.rows,
    licenseSummary: await licenseSummary(tx, clientId),
    mfaSummary: await mfaSummary(tx, clientId),
    mergeStats: stats,
    source: await versionSource(tx, clientId),
    builtAt
  }).where(eq(reportVersions.id, versionId))
  await tx.delete(pendingVersions).where(eq(pendingVersions.versionId, versionId))
  await enqueue(tx, outbox, ReportVersionCreated, {
    reportId: version.reportId, versionId, clientId, number: version.number, rowCount: stats.rows, createdAt: builtAt.toISOString()
  }, { id: `report.version.created:${versionId}` })
}

/** After a failed build: retry later with backoff, or give up and mark the version failed. */
export async function recordBuildFailure (db: AnyDb, versionId: string, error: unknown, maxAttempts: number): Promise<'retry' | 'failed'> {
  const message = error instanceof Error ? error.message : String(error)
  return await db.transaction(async (tx) => {
    const [row] = await tx.update(pendingVersions).set({
      attempts: sql`${pendingVersions.attempts} + 1`,
      lastError: message,
      nextAttemptAt: sql`now() + make_interval(secs => least(300, 5 * power(2, ${pendingVersions.attempts})))`
    }).where(eq(pendingVersions.versionId, versionId)).returning({ attempts: pendingVersions.attempts })
    if (!row || row.attempts < maxAttempts) return 'retry'
    await tx.update(reportVersions).set({ status: 'failed', error: 'the version could not be built; see the service logs' })
      .where(eq(reportVersions.id, versionId))
    await tx.delete(pendingVersions).where(eq(pendingVersions.versionId, versionId))
    return 'failed'
  })
}
