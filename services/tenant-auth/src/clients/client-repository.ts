import { and, eq, inArray, isNull } from 'drizzle-orm'
import { TenantDisconnected } from '@m365/contracts'
import type { AnyDb } from '@m365/db'
import { enqueue } from '@m365/service-kit/outbox'
import { clients, connectAttempts, outbox, releasedTenants, tenantCredentials, tenants, tokenCache } from '../db/schema.js'

export async function clientExists (db: AnyDb, clientId: string): Promise<boolean> {
  const [row] = await db.select({ clientId: clients.clientId }).from(clients)
    .where(and(eq(clients.clientId, clientId), isNull(clients.deletedAt)))
  return row !== undefined
}

/** From client.created; a client already deleted stays deleted (the events may arrive out of order). */
export async function upsertClient (db: AnyDb, input: { clientId: string, name: string, createdAt: Date }): Promise<void> {
  await db.insert(clients).values(input)
    .onConflictDoUpdate({ target: clients.clientId, set: { name: input.name }, setWhere: isNull(clients.deletedAt) })
}

/**
 * From client.deleted: purges everything this service keeps for the client (tenants, their
 * credentials and cached tokens, consent attempts) and leaves a tombstone. Tenants not yet
 * disconnected get a TenantDisconnected, so nobody keeps syncing them. Returns how many were.
 */
export async function purgeClient (db: AnyDb, clientId: string, deletedAt: Date): Promise<number> {
  return await db.transaction(async (tx) => {
    await tx.insert(clients).values({ clientId, name: '', createdAt: deletedAt, deletedAt })
      .onConflictDoUpdate({ target: clients.clientId, set: { deletedAt } })
    const owned = await tx.select({ tenantId: tenants.tenantId, status: tenants.status }).from(tenants)
      .where(eq(tenants.clientId, clientId)).for('update')
    const ids = owned.map((t) => t.tenantId)
    for (const tenant of owned) {
      if (tenant.status === 'disconnected') continue
      await enqueue(tx, outbox, TenantDisconnected, { clientId, tenantId: tenant.tenantId, disconnectedAt: deletedAt.toISOString() })
    }
    if (ids.length > 0) {
      await tx.delete(tokenCache).where(inArray(tokenCache.tenantId, ids))
      await tx.delete(tenantCredentials).where(inArray(tenantCredentials.tenantId, ids))
      await tx.delete(tenants).where(and(eq(tenants.clientId, clientId), inArray(tenants.tenantId, ids)))
      await tx.insert(releasedTenants).values(ids.map((tenantId) => ({ tenantId, releasedAt: deletedAt })))
        .onConflictDoUpdate({ target: releasedTenants.tenantId, set: { releasedAt: deletedAt } })
    }
    await tx.delete(connectAttempts).where(eq(connectAttempts.clientId, clientId))
    return owned.filter((t) => t.status !== 'disconnected').length
  })
}
