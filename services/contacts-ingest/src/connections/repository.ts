import { randomBytes, randomUUID } from 'node:crypto'
import { and, asc, eq, gt, or, sql } from 'drizzle-orm'
import type { PsaConnection, PsaConnectionCreate, PsaConnectionPatch, PsaCredentials, SecretRotate, SecretRotated } from '@m365/api'
import type { AnyDb } from '@m365/db'
import type { KeyRing } from '../crypto/key-ring.js'
import { companyMappings, psaConnections, type HaloWebhookAuth, type PsaType } from '../db/schema.js'
import { lockConnection } from '../lib/contact-lock.js'
import { decodeCursor, toPage } from '../lib/cursor.js'
import { badRequest, notFound } from '../lib/errors.js'
import { checkCredentials, checkWebhookAuth, checkWebhookSecret, publicWebhookAuth } from './credentials.js'
import { unpublishConnection } from './unpublish.js'
import type { ApiAccess } from './psa-client.js'

type Row = typeof psaConnections.$inferSelect

/** What verifying a webhook needs: the secrets that verify now (current first, then one in its grace period). */
export interface WebhookSettings { id: string, psa: PsaType, secrets: string[], webhookAuth: HaloWebhookAuth | null }

const credentialsContext = (id: string) => `psa-connection:${id}:credentials`
const secretContext = (id: string) => `psa-connection:${id}:webhook-secret`
const iso = (d: Date | null) => d?.toISOString() ?? null

export function createConnections (db: AnyDb, keys: KeyRing, options: { graceSeconds: number }) {
  const mapped = sql<number>`(select count(*)::int from ${companyMappings} where ${companyMappings.connectionId} = ${psaConnections.id})`

  function view (row: Row, mappedCompanies: number): PsaConnection {
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
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString()
    }
  }

  async function find (id: string): Promise<PsaConnection | undefined> {
    const [found] = await db.select({ row: psaConnections, mapped }).from(psaConnections).where(eq(psaConnections.id, id))
    return found && view(found.row, found.mapped)
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
      const after = decodeCursor(query.cursor, 2)
      const rows = await db.select({ row: psaConnections, mapped }).from(psaConnections)
        .where(after
          ? or(gt(psaConnections.createdAt, new Date(after[0] as string)),
            and(eq(psaConnections.createdAt, new Date(after[0] as string)), gt(psaConnections.id, after[1] as string)))
          : undefined)
        .orderBy(asc(psaConnections.createdAt), asc(psaConnections.id))
        .limit(query.limit + 1)
      return toPage(rows, query.limit, (r) => view(r.row, r.mapped), (r) => [r.row.createdAt.toISOString(), r.row.id])
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

    /**
     * A new webhook secret (given, or generated and returned this once). The old one keeps verifying for the grace
     * period; a rotation during a grace period ends the older secret's.
     */
    async rotateSecret (id: string, input: SecretRotate): Promise<SecretRotated> {
      const current = await get(id)
      checkWebhookSecret(current.psa, input.webhookSecret)
      if (current.psa === 'connectwise') throw badRequest('connectwise signs with keys published at Metadata.key_url: there is no webhook secret to rotate')
      const generated = input.webhookSecret === undefined ? randomBytes(32).toString('base64url') : undefined
      const secret = input.webhookSecret ?? generated as string
      const now = new Date()
      const graceSeconds = input.graceSeconds ?? options.graceSeconds
      await db.update(psaConnections).set({
        previousWebhookSecret: sql`${psaConnections.webhookSecret}`,
        previousSecretValidUntil: new Date(now.getTime() + graceSeconds * 1000),
        webhookSecret: keys.seal(secret, secretContext(id)),
        secretRotatedAt: now,
        updatedAt: now
      }).where(eq(psaConnections.id, id))
      const connection = await get(id)
      return generated === undefined ? { connection } : { connection, webhookSecret: generated }
    },

    async webhookSettings (id: string): Promise<WebhookSettings | undefined> {
      const [row] = await db.select().from(psaConnections).where(eq(psaConnections.id, id))
      if (!row) return undefined
      const secrets: string[] = []
      if (row.webhookSecret) secrets.push(keys.open(row.webhookSecret, secretContext(id)))
      if (row.previousWebhookSecret && row.previousSecretValidUntil && row.previousSecretValidUntil > new Date()) {
        secrets.push(keys.open(row.previousWebhookSecret, secretContext(id)))
      }
      return { id, psa: row.psa, secrets, webhookAuth: row.webhookAuth }
    },

    /** The REST access of a connection, or undefined when it has no credentials (or does not exist). */
    async apiAccess (id: string): Promise<(ApiAccess & { version: string }) | undefined> {
      const [row] = await db.select().from(psaConnections).where(eq(psaConnections.id, id))
      if (!row?.credentials) return undefined
      const credentials = JSON.parse(keys.open(row.credentials, credentialsContext(id))) as PsaCredentials
      return { id, psa: row.psa, baseUrl: row.baseUrl, credentials, version: `${row.updatedAt.getTime()}` }
    },

    async markWebhookDeactivated (id: string): Promise<void> {
      await db.update(psaConnections).set({ webhookDeactivatedAt: new Date() }).where(eq(psaConnections.id, id))
    },

    /** Seals every secret again with the current key (after ENCRYPTION_KEY rotated); returns how many rows changed. */
    async reseal (): Promise<number> {
      const rows = await db.select().from(psaConnections)
      let changed = 0
      for (const row of rows) {
        const again = (value: string | null, context: string) =>
          value === null || keys.keyIdOf(value) === keys.currentKeyId ? value : keys.seal(keys.open(value, context), context)
        const next = {
          credentials: again(row.credentials, credentialsContext(row.id)),
          webhookSecret: again(row.webhookSecret, secretContext(row.id)),
          previousWebhookSecret: again(row.previousWebhookSecret, secretContext(row.id))
        }
        if (next.credentials === row.credentials && next.webhookSecret === row.webhookSecret && next.previousWebhookSecret === row.previousWebhookSecret) continue
        await db.update(psaConnections).set(next).where(eq(psaConnections.id, row.id))
        changed++
      }
      return changed
    }
  }
}

export type Connections = ReturnType<typeof createConnections>
