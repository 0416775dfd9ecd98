import { createHmac } from 'node:crypto'
import t from 'tap'
import postgres from 'postgres'
import { sql } from 'drizzle-orm'
import { createTestDatabase } from '@m365/db/testing'
import { compactKeyId as keyId } from '@m365/service-kit'
import { build, createConnection, ENCRYPTION_KEY, headersFor, waitFor } from '../helper.js'

const NEW_KEY = 'e7'.repeat(32)

t.test('after ENCRYPTION_KEY rotates, old ciphertexts open with the previous key and are sealed again with the new one', async (t) => {
  const { url: databaseUrl } = await createTestDatabase(t)
  const secret = 'at-rotation-secret-1'
  const before = await build(t, { bus: 'in-process', databaseUrl })
  const { id } = await createConnection(before.app, {
    psa: 'autotask',
    name: 'at',
    baseUrl: 'https://webservices5.autotask.net/ATServicesRest',
    webhookSecret: secret,
    credentials: { integrationCode: 'code', username: 'user', secret: 'api-secret' }
  })
  const kid = async (h: typeof before) => (await h.query<{ c: string, w: string }>(sql`select split_part(credentials, '.', 2) as c, split_part(webhook_secret, '.', 2) as w from contacts_ingest.psa_connections`))[0]
  t.same(await kid(before), { c: keyId(Buffer.from(ENCRYPTION_KEY, 'hex')), w: keyId(Buffer.from(ENCRYPTION_KEY, 'hex')) })
  await before.app.close()

  const after = await build(t, { bus: 'in-process', databaseUrl, env: { ENCRYPTION_KEY: NEW_KEY, ENCRYPTION_KEYS_PREVIOUS: ENCRYPTION_KEY } })
  t.same(await kid(after), { c: keyId(Buffer.from(NEW_KEY, 'hex')), w: keyId(Buffer.from(NEW_KEY, 'hex')) }, 'sealed again at start')
  await after.app.close()

  const only = await build(t, { bus: 'in-process', databaseUrl, env: { ENCRYPTION_KEY: NEW_KEY } })
  const payload = JSON.stringify({ Action: 'Delete', Guid: 'g', EntityType: 'Contact', Id: 1, SequenceNumber: 1 })
  const res = await only.app.inject({
    method: 'POST',
    url: `/webhooks/autotask/${id}`,
    payload,
    headers: { 'content-type': 'application/json', 'x-hook-signature': `sha1=${createHmac('sha1', secret).update(payload).digest('base64')}` }
  })
  t.equal(res.statusCode, 202, 'the secret opens with the new key alone')
  t.equal((await only.app.inject({ url: `/v1/psa-connections/${id}`, headers: headersFor() })).json().hasCredentials, true)
})

t.test('a rotation committed while another replica re-seals at start is kept, not overwritten with the old secret', async (t) => {
  const { url: databaseUrl } = await createTestDatabase(t)
  const before = await build(t, { bus: 'in-process', databaseUrl })
  const { id } = await createConnection(before.app, {
    psa: 'autotask', name: 'at', baseUrl: 'https://webservices5.autotask.net/ATServicesRest', webhookSecret: 'at-rotation-secret-1'
  })
  await before.app.close()

  // another replica's rotation, written before this one reads the rows and committed while its re-seal waits for the row
  const other = postgres(databaseUrl, { max: 1, onnotice: () => {} })
  t.teardown(() => other.end())
  let commit: () => void = () => {}
  const rotated = 'v1.rotated-by-another-replica'
  const rotation = other.begin(async (tx) => {
    await tx`update contacts_ingest.psa_connections set webhook_secret = ${rotated} where id = ${id}`
    await new Promise<void>((resolve) => { commit = resolve })
  })
  await waitFor(async () => (await backends(databaseUrl, 'idle in transaction')) === 1, 'the rotation to hold the row')

  const starting = build(t, { bus: 'in-process', databaseUrl, env: { ENCRYPTION_KEY: NEW_KEY, ENCRYPTION_KEYS_PREVIOUS: ENCRYPTION_KEY } })
  await waitFor(async () => (await backends(databaseUrl, 'waiting for a lock')) === 1, 'the re-seal to wait for the row')
  commit()
  await rotation
  const after = await starting
  const [row] = await after.query<{ webhook_secret: string }>(sql`select webhook_secret from contacts_ingest.psa_connections`)
  t.equal(row?.webhook_secret, rotated, 'the concurrent rotation stands')
})

/** How many backends of this database are idle in a transaction, or waiting for a lock. */
async function backends (databaseUrl: string, what: 'idle in transaction' | 'waiting for a lock'): Promise<number> {
  const probe = postgres(databaseUrl, { max: 1, onnotice: () => {} })
  try {
    const [row] = await probe<Array<{ n: number }>>`select count(*)::int as n from pg_stat_activity where datname = current_database()
      and ${what === 'idle in transaction' ? probe`state = 'idle in transaction'` : probe`wait_event_type = 'Lock'`}`
    return row!.n
  } finally {
    await probe.end()
  }
}
