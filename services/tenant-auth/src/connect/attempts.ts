import { and, eq, isNull, lt } from 'drizzle-orm'
import type { AnyDb } from '@m365/db'
import { connectAttempts } from '../db/schema.js'

export type Attempt = typeof connectAttempts.$inferSelect

const KEEP_MS = 7 * 24 * 3600_000

export async function createAttempt (db: AnyDb, input: { id: string, clientId: string, requestedBy: string, tenantHint: string | null, expiresAt: Date }): Promise<void> {
  await db.insert(connectAttempts).values(input)
  // old attempts are of no use to anyone: prune on the way
  await db.delete(connectAttempts).where(lt(connectAttempts.expiresAt, new Date(Date.now() - KEEP_MS)))
}

export type Consumed = { result: 'ok', attempt: Attempt } | { result: 'unknown' | 'used' | 'expired' }

/**
 * Single use: the first callback marks the attempt completed (atomically, so two racing callbacks
 * cannot both win); later ones find it used. An expired state is consumed too, and refused.
 */
export async function consumeAttempt (db: AnyDb, id: string, now = new Date()): Promise<Consumed> {
  const [attempt] = await db.update(connectAttempts).set({ completedAt: now })
    .where(and(eq(connectAttempts.id, id), isNull(connectAttempts.completedAt)))
    .returning()
  if (!attempt) {
    const [existing] = await db.select({ id: connectAttempts.id }).from(connectAttempts).where(eq(connectAttempts.id, id))
    return { result: existing ? 'used' : 'unknown' }
  }
  if (attempt.expiresAt <= now) {
    await finishAttempt(db, id, { outcome: 'failed', error: 'state expired' })
    return { result: 'expired' }
  }
  return { result: 'ok', attempt }
}

export async function finishAttempt (db: AnyDb, id: string, result: { outcome: 'connected' | 'failed', tenantId?: string, error?: string }): Promise<void> {
  await db.update(connectAttempts).set({ outcome: result.outcome, tenantId: result.tenantId ?? null, error: result.error ?? null })
    .where(eq(connectAttempts.id, id))
}
