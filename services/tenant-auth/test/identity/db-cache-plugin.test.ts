import { randomUUID } from 'node:crypto'
import t, { type Test } from 'tap'
import { ConfidentialClientApplication, TokenCacheContext } from '@azure/msal-node'
import { eq } from 'drizzle-orm'
import { createServiceDb, openDatabase } from '@m365/db'
import { createTestDatabase } from '@m365/db/testing'
import pino from 'pino'
import type { FastifyBaseLogger } from 'fastify'
import { createKeyRing } from '@m365/service-kit'
import { migrationsFolder } from '../../src/app.js'
import { tokenCache } from '../../src/db/schema.js'
import { createDbCachePlugin } from '../../src/identity/db-cache-plugin.js'

const ring = createKeyRing('5a'.repeat(32))
const log = pino({ level: 'silent' }) as FastifyBaseLogger
const tenantId = randomUUID()
const clientId = randomUUID()
const partition = { key: `${clientId}.${tenantId}`, tenantId }
const context = `token-cache:${partition.key}`

/** An msal cache holding one access token for `target`, in msal's own serialization. */
function serialized (target: string, secret: string, expiresOn = Math.floor(Date.now() / 1000) + 3600) {
  const key = `-login.microsoftonline.com-accesstoken-${clientId}-${tenantId}-${target}-`
  return JSON.stringify({
    Account: {},
    IdToken: {},
    RefreshToken: {},
    AppMetadata: {},
    AccessToken: {
      [key]: {
        home_account_id: '',
        environment: 'login.microsoftonline.com',
        credential_type: 'AccessToken',
        client_id: clientId,
        secret,
        realm: tenantId,
        target,
        cached_at: String(expiresOn - 3600),
        expires_on: String(expiresOn),
        extended_expires_on: String(expiresOn),
        token_type: 'Bearer'
      }
    }
  })
}

// msal's real token cache objects (no network: a CCA does nothing until asked for a token)
const msalCache = () => new ConfidentialClientApplication({
  auth: { clientId, clientSecret: 'unused', authority: `https://login.microsoftonline.com/${tenantId}` }
}).getTokenCache()

async function database (t: Test) {
  const { url } = await createTestDatabase(t)
  const handle = await openDatabase({ url })
  t.teardown(() => handle.close())
  const serviceDb = createServiceDb(handle, { schema: 'tenant_auth', migrationsFolder })
  await serviceDb.migrate()
  return serviceDb.db
}

t.test('a writer that lost the race merges the winner\'s entries instead of overwriting them', async (t) => {
  const db = await database(t)
  const first = createDbCachePlugin(db, ring, partition, log)
  const second = createDbCachePlugin(db, ring, partition, log)
  const cacheA = msalCache()
  const cacheB = msalCache()
  await first.beforeCacheAccess(new TokenCacheContext(cacheA, false)) // both read the same (empty) state
  await second.beforeCacheAccess(new TokenCacheContext(cacheB, false))

  cacheB.deserialize(serialized('scope-b/.default', 'token-b'))
  await second.afterCacheAccess(new TokenCacheContext(cacheB, true))
  cacheA.deserialize(serialized('scope-a/.default', 'token-a'))
  await first.afterCacheAccess(new TokenCacheContext(cacheA, true)) // stale: version conflict

  const [row] = await db.select().from(tokenCache).where(eq(tokenCache.partitionKey, partition.key))
  t.equal(row?.version, 2)
  const stored = JSON.parse(ring.open(row!, context))
  t.same(Object.values(stored.AccessToken).map((e) => (e as { secret: string }).secret).sort(), ['token-a', 'token-b'])

  // and the next reader sees both
  const cacheC = msalCache()
  await createDbCachePlugin(db, ring, partition, log).beforeCacheAccess(new TokenCacheContext(cacheC, false))
  t.equal(Object.keys(JSON.parse(cacheC.serialize()).AccessToken).length, 2)
})

t.test('an unreadable row (altered, or its key gone) is ignored and replaced; nothing is written when nothing changed', async (t) => {
  const db = await database(t)
  const plugin = createDbCachePlugin(db, ring, partition, log)
  const cache = msalCache()
  cache.deserialize(serialized('scope/.default', 'token-1'))
  await plugin.beforeCacheAccess(new TokenCacheContext(msalCache(), false))
  await plugin.afterCacheAccess(new TokenCacheContext(cache, true))
  await db.update(tokenCache).set({ ciphertext: Buffer.from('garbage garbage garbage garbage').toString('base64') })

  const fresh = msalCache()
  await plugin.beforeCacheAccess(new TokenCacheContext(fresh, false))
  t.same(JSON.parse(fresh.serialize()).AccessToken, {}, 'starts empty')
  await plugin.afterCacheAccess(new TokenCacheContext(fresh, false))
  t.equal((await db.select().from(tokenCache))[0]?.version, 1, 'unchanged: no write')
  fresh.deserialize(serialized('scope/.default', 'token-2'))
  await plugin.afterCacheAccess(new TokenCacheContext(fresh, true))
  const [row] = await db.select().from(tokenCache)
  t.equal(row?.version, 2)
  t.match(ring.open(row!, context), /token-2/)
})
