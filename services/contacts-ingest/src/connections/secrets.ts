import { randomBytes } from 'node:crypto'
import { and, eq, sql } from 'drizzle-orm'
import type { PsaCredentials, SecretRotate, SecretRotated } from '@m365/api'
import type { AnyDb } from '@m365/db'
import { badRequest, type CompactKeyRing } from '@m365/service-kit'
import { psaConnections, type HaloWebhookAuth, type PsaType } from '../db/schema.js'
import { checkWebhookSecret } from './credentials.js'
import type { ApiAccess } from './psa-client.js'
import type { ConnectionRepository } from './repository.js'

/**
 * What verifying a webhook needs: the secrets that verify now (current first, then one in its grace period), and when
 * that changes by itself (the grace period's end, epoch ms), so nothing keeps them past it.
 */
export interface WebhookSettings {
  id: string
  psa: PsaType
  secrets: string[]
  webhookAuth: HaloWebhookAuth | null
  changesAt?: number
  /** ConnectWise with credentials: the company and site a callback must come from (specs/psa-webhooks.md §2.3) */
  connectWise?: { companyId?: string, siteUrl: string }
}

// bound into every ciphertext (AAD): a value sealed for one row and purpose does not open for another
export const credentialsContext = (id: string) => `psa-connection:${id}:credentials`
export const secretContext = (id: string) => `psa-connection:${id}:webhook-secret`

/** The secret side of connections: rotation, what webhook verification and REST clients need, re-sealing. */
export function createConnectionSecrets (db: AnyDb, keys: CompactKeyRing, repository: Pick<ConnectionRepository, 'get'>, options: { graceSeconds: number }) {
  const { get } = repository
  return {
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
      const settings: WebhookSettings = { id, psa: row.psa, secrets, webhookAuth: row.webhookAuth }
      if (row.psa === 'connectwise' && row.credentials) {
        const { companyId } = JSON.parse(keys.open(row.credentials, credentialsContext(id))) as PsaCredentials
        settings.connectWise = companyId ? { companyId, siteUrl: row.baseUrl } : { siteUrl: row.baseUrl }
      }
      if (row.previousWebhookSecret && row.previousSecretValidUntil && row.previousSecretValidUntil > new Date()) {
        secrets.push(keys.open(row.previousWebhookSecret, secretContext(id)))
        settings.changesAt = row.previousSecretValidUntil.getTime()
      }
      return settings
    },

    /** The REST access of a connection, or undefined when it has no credentials (or does not exist). */
    async apiAccess (id: string): Promise<(ApiAccess & { version: string }) | undefined> {
      const [row] = await db.select().from(psaConnections).where(eq(psaConnections.id, id))
      if (!row?.credentials) return undefined
      const credentials = JSON.parse(keys.open(row.credentials, credentialsContext(id))) as PsaCredentials
      return { id, psa: row.psa, baseUrl: row.baseUrl, credentials, version: `${row.updatedAt.getTime()}` }
    },

    /**
     * Seals every secret again with the current key (after ENCRYPTION_KEY rotated); returns how many rows changed.
     * A row is written only if its secrets are still what was read: a rotation or PATCH by another replica meanwhile
     * wins (its values are sealed with a current key already), instead of the old secret being written back.
     */
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
        const written = await db.update(psaConnections).set(next).where(and(
          eq(psaConnections.id, row.id),
          sql`${psaConnections.credentials} is not distinct from ${row.credentials}`,
          sql`${psaConnections.webhookSecret} is not distinct from ${row.webhookSecret}`,
          sql`${psaConnections.previousWebhookSecret} is not distinct from ${row.previousWebhookSecret}`
        )).returning({ id: psaConnections.id })
        changed += written.length
      }
      return changed
    }
  }
}
