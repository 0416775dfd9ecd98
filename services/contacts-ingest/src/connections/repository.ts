import { randomUUID } from 'node:crypto'
import { and, asc, eq, gt, or, sql } from 'drizzle-orm'
import { decodeCursor, type PsaConnection, type PsaConnectionCreate, type PsaConnectionPatch, type PsaCredentials, toPage } from '@m365/api'
import type { AnyDb } from '@m365/db'
import { type CompactKeyRing, notFound } from '@m365/service-kit'
import { companyMappings, psaConnections, type PsaType } from '../db/schema.js'
import { lockConnection } from '../lib/contact-lock.js'
import { checkCredentials, checkWebhookAuth, checkWebhookSecret, publicWebhookAuth } from './credentials.js'
import { createConnectionSecrets, credentialsContext, secretContext } from './secrets.js'
import { createSettingsCache } from './settings-cache.js'
import { unpublishConnection } from './unpublish.js'

type Row = typeof psaConnections.$inferSelect

const iso = (d: Date | null) => d?.toISOString() ?? null

/** PSA connections: create, list, get, change, delete; credentials and secrets go in sealed and never come out here. */
export function createConnectionRepository (db: AnyDb, keys: CompactKeyRing) {
  const mapped = sql<number>`(select count(*)::int from ${companyMappings} where ${companyMappings.connectionId} = ${psaConnections.id})`
  // from webhook_deliveries_failed_idx; written out: drizzle leaves a column of the only table unqualified, and a bare
  // "id" in here would be the delivery's
  const failed = sql<number>`(select count(*)::int from contacts_ingest.webhook_deliveries d
    where d.connection_id = psa_connections.id and d.status = 'failed')`

  function view (row: Row, mappedCompanies: number, failedDeliveries: number): PsaConnection {
    return {
      id: row.id,
      psa: row.psa,
      name: row.name,
      baseUrl: row.baseUrl,
      webhookPath: `/webhooks/${row.psa}/${row.id}`,
      hasCredentials: row.credentials !== null,
      credentialsUpdatedAt: iso(row.credentialsUpdatedAt),
      hasWebhookSecret: row.webhookSecret !== null,
      secretRotatedAt: iso(row.secretRotatedAt),
      previousSecretValidUntil: row.previousWebhookSecret !== null && row.previousSecretValidUntil !== null && row.previousSecretValidUntil > new Date()
        ? row.previousSecretValidUntil.toISOString()
        : null,
      webhookAuth: publicWebhookAuth(row.webhookAuth),
      webhookDeactivatedAt: iso(row.webhookDeactivatedAt),
      mappedCompanies: Number(mappedCompanies),
      failedDeliveries: Number(failedDeliveries),
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString()
    }
  }

  async function find (id: string): Promise<PsaConnection | undefined> {
    const [found] = await db.select({ row: psaConnections, mapped, failed }).from(psaConnections).where(eq(psaConnections.id, id))
    return found && view(found.row, found.mapped, found.failed)
  }

  async function get (id: string): Promise<PsaConnection> {
    const found = await find(id)
    if (!found) throw notFound(`PSA connection ${id}`)
    return found
  }

  const sealCredentials = (id: string, psa: PsaType, credentials: PsaCredentials) =>
    keys.seal(JSON.stringify(checkCredentials(psa, credentials)), credentialsContext(id))

  return {
    get,

    async create (input: PsaConnectionCreate): Promise<PsaConnection> {
      const id = randomUUID()
      checkWebhookSecret(input.psa, input.webhookSecret)
      const now = new Date()
      await db.insert(psaConnections).values({
        id,
        psa: input.psa,
        name: input.name,
        baseUrl: input.baseUrl.replace(/\/+$/, ''),
        credentials: input.credentials ? sealCredentials(id, input.psa, input.credentials) : null,
        credentialsUpdatedAt: input.credentials ? now : null,
        webhookSecret: input.webhookSecret ? keys.seal(input.webhookSecret, secretContext(id)) : null,
        secretRotatedAt: input.webhookSecret ? now : null,
        webhookAuth: checkWebhookAuth(input.psa, input.webhookAuth),
        createdAt: now,
        updatedAt: now
      })
      return await get(id)
    },

    async list (query: { limit: number, cursor?: string | undefined }) {
      const after = decodeCursor(query.cursor, ['timestamp', 'uuid'])
      const rows = await db.select({ row: psaConnections, mapped, failed }).from(psaConnections)
        .where(after
          ? or(gt(psaConnections.createdAt, new Date(after[0])),
            and(eq(psaConnections.createdAt, new Date(after[0])), gt(psaConnections.id, after[1])))
          : undefined)
        .orderBy(asc(psaConnections.createdAt), asc(psaConnections.id))
        .limit(query.limit + 1)
      return toPage(rows, query.limit, (r) => view(r.row, r.mapped, r.failed), (r) => [r.row.createdAt.toISOString(), r.row.id])
    },

    async patch (id: string, input: PsaConnectionPatch): Promise<PsaConnection> {
      const current = await get(id)
      const now = new Date()
      const set: Partial<Row> = { updatedAt: now }
      if (input.name !== undefined) set.name = input.name
      if (input.baseUrl !== undefined) set.baseUrl = input.baseUrl.replace(/\/+$/, '')
      if (input.credentials !== undefined) {
        set.credentials = sealCredentials(id, current.psa, input.credentials)
        set.credentialsUpdatedAt = now
      }
      if (input.webhookAuth !== undefined) set.webhookAuth = checkWebhookAuth(current.psa, input.webhookAuth)
      await db.update(psaConnections).set(set).where(eq(psaConnections.id, id))
      return await get(id)
    },

    /** Deletes the connection and everything of it; consumers get a ContactsDeleted for every contact they hold. */
    async remove (id: string): Promise<void> {
      await db.transaction(async (tx) => {
        await lockConnection(tx, id)
        const [row] = await tx.select({ id: psaConnections.id }).from(psaConnections).where(eq(psaConnections.id, id))
        if (!row) throw notFound(`PSA connection ${id}`)
        await unpublishConnection(tx, id)
        await tx.delete(psaConnections).where(eq(psaConnections.id, id))
      })
    },

    async markWebhookDeactivated (id: string): Promise<void> {
      await db.update(psaConnections).set({ webhookDeactivatedAt: new Date() }).where(eq(psaConnections.id, id))
    }
  }
}

export type ConnectionRepository = ReturnType<typeof createConnectionRepository>

/**
 * The repository plus the secret side (rotation, verification settings, REST access). `webhookSettings` is cached for
 * `settingsCacheMs` (see createSettingsCache); every change made here drops the connection's entry once committed.
 */
export function createConnections (db: AnyDb, keys: CompactKeyRing, options: { graceSeconds: number, settingsCacheMs?: number }) {
  const repository = createConnectionRepository(db, keys)
  const secrets = createConnectionSecrets(db, keys, repository, options)
  const cache = createSettingsCache(secrets.webhookSettings, { ttlMs: options.settingsCacheMs ?? 0 })
  const thenDrop = <A extends unknown[], R>(change: (id: string, ...args: A) => Promise<R>) =>
    async (id: string, ...args: A): Promise<R> => {
      try {
        return await change(id, ...args)
      } finally {
        cache.invalidate(id)
      }
    }
  return {
    ...repository,
    ...secrets,
    patch: thenDrop(repository.patch),
    remove: thenDrop(repository.remove),
    rotateSecret: thenDrop(secrets.rotateSecret),
    /** verification settings, possibly up to settingsCacheMs old (`cached`) */
    webhookSettings: cache.get,
    /** verification settings read now (and cached again) */
    freshWebhookSettings: cache.refresh
  }
}

export type Connections = ReturnType<typeof createConnections>
