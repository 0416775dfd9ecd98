import type { ICachePlugin, TokenCacheContext } from '@azure/msal-node'
import { and, eq } from 'drizzle-orm'
import type { AnyDb } from '@m365/db'
import type { FastifyBaseLogger } from 'fastify'
import { DecryptionError, type KeyRing } from '@m365/service-kit'
import { tokenCache } from '../db/schema.js'
import { EMPTY_CACHE, mergeCaches } from './cache-merge.js'

const WRITE_ATTEMPTS = 5

export interface CachePartition {
  /** `<app client id>.<tenant id>`: one msal client's whole cache. */
  key: string
  tenantId: string
}

/**
 * msal-node's ICachePlugin on this service's Postgres table, encrypted: every instance reads the
 * partition before msal looks at its cache and writes it back when msal changed it. Writes are
 * compare-and-set on `version`; a writer that lost the race merges the winner's entries into its
 * own and tries again, so concurrent instances never overwrite each other's tokens with a torn blob.
 * One plugin per msal client; its accesses must not interleave (the token broker serialises them).
 * @see https://learn.microsoft.com/entra/msal/javascript/node/caching
 */
export function createDbCachePlugin (db: AnyDb, ring: KeyRing, partition: CachePartition, log: FastifyBaseLogger): ICachePlugin {
  const context = `token-cache:${partition.key}`
  let loadedVersion: number | null = null

  async function read (): Promise<{ version: number | null, plain: string }> {
    const [row] = await db.select().from(tokenCache).where(eq(tokenCache.partitionKey, partition.key))
    if (!row) return { version: null, plain: EMPTY_CACHE }
    try {
      return { version: row.version, plain: ring.open(row, context) }
    } catch (err) {
      if (!(err instanceof DecryptionError)) throw err
      // a key dropped from the ring or an altered row: start empty; the next write replaces it
      log.warn({ tenantId: partition.tenantId, reason: err.message }, 'token cache row unreadable, ignoring it')
      return { version: row.version, plain: EMPTY_CACHE }
    }
  }

  async function write (plain: string, expected: number | null): Promise<boolean> {
    const sealed = ring.seal(plain, context)
    if (expected === null) {
      const inserted = await db.insert(tokenCache).values({ partitionKey: partition.key, tenantId: partition.tenantId, ...sealed, version: 1 })
        .onConflictDoNothing().returning({ version: tokenCache.version })
      return inserted.length > 0
    }
    const updated = await db.update(tokenCache).set({ ...sealed, version: expected + 1, updatedAt: new Date() })
      .where(and(eq(tokenCache.partitionKey, partition.key), eq(tokenCache.version, expected)))
      .returning({ version: tokenCache.version })
    return updated.length > 0
  }

  return {
    async beforeCacheAccess (ctx: TokenCacheContext) {
      const { version, plain } = await read()
      loadedVersion = version
      // always a full document: an empty string would leave msal's in-memory cache as it was
      ctx.tokenCache.deserialize(plain)
    },
    async afterCacheAccess (ctx: TokenCacheContext) {
      if (!ctx.cacheHasChanged) return
      let plain = ctx.tokenCache.serialize()
      let expected = loadedVersion
      try {
        for (let attempt = 1; attempt <= WRITE_ATTEMPTS; attempt++) {
          if (await write(plain, expected)) return
          const latest = await read()
          plain = mergeCaches(latest.plain, plain)
          expected = latest.version
        }
        log.warn({ tenantId: partition.tenantId }, 'token cache write kept losing races; token not cached')
      } catch (err) {
        // the token itself is fine: failing to cache it only costs a later network call
        log.warn({ err, tenantId: partition.tenantId }, 'token cache write failed')
      }
    }
  }
}
