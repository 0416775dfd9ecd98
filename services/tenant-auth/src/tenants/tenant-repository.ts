import { and, asc, eq, gt, isNull, lt, or, type SQL } from 'drizzle-orm'
import { TenantConnected, TenantConsentRevoked, TenantDisconnected } from '@m365/contracts'
import type { AnyDb } from '@m365/db'
import { enqueue } from '@m365/service-kit/outbox'
import { outbox, releasedTenants, tenantCredentials, tenants, tokenCache, type CredentialType, type SyncOutcome, type TenantStatus } from '../db/schema.js'

export interface TenantView {
  tenantId: string
  clientId: string
  status: TenantStatus
  displayName: string | null
  connectedAt: string | null
  disconnectedAt: string | null
  statusChangedAt: string
  lastError: string | null
  lastSyncAt: string | null
  lastSyncOutcome: SyncOutcome | null
  lastSyncError: string | null
  /** The tenant's own app registration, if one is stored: its type and app id, never the secret. */
  credentials: { credentialType: CredentialType, clientId: string } | null
}

const iso = (d: Date | null) => d ? d.toISOString() : null

const viewColumns = {
  tenant: tenants,
  credentialType: tenantCredentials.credentialType,
  appClientId: tenantCredentials.appClientId
}

function toView (row: { tenant: typeof tenants.$inferSelect, credentialType: CredentialType | null, appClientId: string | null }): TenantView {
  const t = row.tenant
  return {
    tenantId: t.tenantId,
    clientId: t.clientId,
    status: t.status,
    displayName: t.displayName,
    connectedAt: iso(t.connectedAt),
    disconnectedAt: iso(t.disconnectedAt),
    statusChangedAt: t.statusChangedAt.toISOString(),
    lastError: t.lastError,
    lastSyncAt: iso(t.lastSyncAt),
    lastSyncOutcome: t.lastSyncOutcome,
    lastSyncError: t.lastSyncError,
    credentials: row.credentialType && row.appClientId ? { credentialType: row.credentialType, clientId: row.appClientId } : null
  }
}

function selectViews (db: AnyDb, where: SQL | undefined) {
  return db.select(viewColumns).from(tenants).leftJoin(tenantCredentials, eq(tenantCredentials.tenantId, tenants.tenantId)).where(where)
}

export async function getTenant (db: AnyDb, clientId: string, tenantId: string): Promise<TenantView | undefined> {
  const [row] = await selectViews(db, and(eq(tenants.clientId, clientId), eq(tenants.tenantId, tenantId)))
  return row ? toView(row) : undefined
}

/** A page of a client's tenants in tenant id order; `after` is the last tenant id of the previous page. */
export async function listTenants (db: AnyDb, clientId: string, page: { limit: number, after?: string, status?: TenantStatus }): Promise<{ items: TenantView[], last?: string, more: boolean }> {
  const rows = await selectViews(db, and(
    eq(tenants.clientId, clientId),
    page.after ? gt(tenants.tenantId, page.after) : undefined,
    page.status ? eq(tenants.status, page.status) : undefined
  )).orderBy(asc(tenants.tenantId)).limit(page.limit + 1)
  const items = rows.slice(0, page.limit).map(toView)
  return { items, last: items.at(-1)?.tenantId, more: rows.length > page.limit }
}

type Binding = { clientId: string, status: TenantStatus }

/** Who a tenant is bound to now, or was last (a disconnected row), if anyone ever was. */
export async function lastBinding (db: AnyDb, tenantId: string): Promise<Binding | undefined> {
  const [row] = await db.select({ clientId: tenants.clientId, status: tenants.status }).from(tenants).where(eq(tenants.tenantId, tenantId))
  return row
}

/** Whether the tenant belonged to a client that was deleted (and has not been connected since). */
export async function wasReleased (db: AnyDb, tenantId: string): Promise<boolean> {
  const [row] = await db.select({ tenantId: releasedTenants.tenantId }).from(releasedTenants).where(eq(releasedTenants.tenantId, tenantId))
  return row !== undefined
}

/** Who a tenant is bound to now, if anyone (a disconnected binding can be taken over). */
export async function activeBinding (db: AnyDb, tenantId: string): Promise<Binding | undefined> {
  const row = await lastBinding(db, tenantId)
  return row && row.status !== 'disconnected' ? row : undefined
}

export type BindResult = { outcome: 'connected' | 'already_connected' } | { outcome: 'bound_elsewhere', clientId: string, status: TenantStatus }

/**
 * Records a confirmed tenant as connected to the client, in the caller's transaction. The same
 * tenant connected to the same client again changes nothing and publishes nothing; a tenant bound
 * to another client (not disconnected; with `takeOver: false`, at all) is refused. Otherwise
 * TenantConnected goes to the outbox.
 */
export async function bindTenant (tx: AnyDb, input: { clientId: string, tenantId: string, displayName: string | null, takeOver?: boolean, now?: Date }): Promise<BindResult> {
  const now = input.now ?? new Date()
  await tx.insert(tenants).values({ tenantId: input.tenantId, clientId: input.clientId, status: 'disconnected', statusChangedAt: now })
    .onConflictDoNothing()
  const [row] = await tx.select().from(tenants).where(eq(tenants.tenantId, input.tenantId)).for('update')
  if (!row) throw new Error(`tenant ${input.tenantId} vanished while binding`)
  const takeOver = input.takeOver ?? true
  if (row.clientId !== input.clientId && (row.status !== 'disconnected' || !takeOver)) {
    return { outcome: 'bound_elsewhere', clientId: row.clientId, status: row.status }
  }
  const displayName = input.displayName ?? row.displayName
  if (row.clientId === input.clientId && row.status === 'connected') {
    if (displayName !== row.displayName) await tx.update(tenants).set({ displayName }).where(eq(tenants.tenantId, input.tenantId))
    return { outcome: 'already_connected' }
  }
  await tx.update(tenants).set({
    clientId: input.clientId,
    status: 'connected',
    displayName,
    connectedAt: now,
    disconnectedAt: null,
    statusChangedAt: now,
    lastError: null,
    ...(row.clientId !== input.clientId && { lastSyncAt: null, lastSyncOutcome: null, lastSyncError: null })
  }).where(eq(tenants.tenantId, input.tenantId))
  await tx.delete(releasedTenants).where(eq(releasedTenants.tenantId, input.tenantId))
  await enqueue(tx, outbox, TenantConnected, {
    clientId: input.clientId, tenantId: input.tenantId, ...(displayName ? { displayName } : {}), connectedAt: now.toISOString()
  })
  return { outcome: 'connected' }
}

/** 'not_found' unless the tenant is the client's; TenantDisconnected only on the transition. Cached tokens go. */
export async function disconnectTenant (db: AnyDb, clientId: string, tenantId: string, now = new Date()): Promise<'disconnected' | 'already' | 'not_found'> {
  return await db.transaction(async (tx) => {
    const [row] = await tx.select({ status: tenants.status }).from(tenants)
      .where(and(eq(tenants.tenantId, tenantId), eq(tenants.clientId, clientId))).for('update')
    if (!row) return 'not_found'
    if (row.status === 'disconnected') return 'already'
    await tx.update(tenants).set({ status: 'disconnected', disconnectedAt: now, statusChangedAt: now }).where(eq(tenants.tenantId, tenantId))
    await tx.delete(tokenCache).where(eq(tokenCache.tenantId, tenantId))
    await enqueue(tx, outbox, TenantDisconnected, { clientId, tenantId, disconnectedAt: now.toISOString() })
    return 'disconnected'
  })
}

/**
 * Consent revoked or credentials invalid, with Microsoft's reason. Only a connected tenant
 * transitions, so TenantConsentRevoked is written once per transition however many token
 * requests fail at the same time. True when this call made the transition.
 */
export async function markAuthFailure (db: AnyDb, tenantId: string, status: 'consent_revoked' | 'credentials_invalid', reason: string, now = new Date()): Promise<boolean> {
  return await db.transaction(async (tx) => {
    const [row] = await tx.update(tenants).set({ status, lastError: reason, statusChangedAt: now })
      .where(and(eq(tenants.tenantId, tenantId), eq(tenants.status, 'connected')))
      .returning({ clientId: tenants.clientId })
    if (!row) return false
    await enqueue(tx, outbox, TenantConsentRevoked, { clientId: row.clientId, tenantId, status, reason, at: now.toISOString() })
    return true
  })
}

/** From o365.sync.completed / o365.sync.failed; an older outcome arriving late changes nothing. */
export async function recordSyncOutcome (db: AnyDb, input: { tenantId: string, clientId: string, outcome: SyncOutcome, at: Date, error?: string }): Promise<void> {
  await db.update(tenants).set({ lastSyncAt: input.at, lastSyncOutcome: input.outcome, lastSyncError: input.error ?? null })
    .where(and(
      eq(tenants.tenantId, input.tenantId),
      eq(tenants.clientId, input.clientId),
      or(isNull(tenants.lastSyncAt), lt(tenants.lastSyncAt, input.at))
    ))
}
