import t from 'tap'
import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { ClientDeleted, createEvent } from '@m365/contracts'
import { queryRows } from '@m365/db'
import { handleClientDeleted } from '../../src/read-model/purge-client.js'
import { build, MSP } from '../helper.js'
import { connectTenant, contact, createClient, createReport, createVersion, E3, sku, syncTenant, upsertContact, user } from '../fixtures.js'

const counts = async (db: Parameters<typeof queryRows>[0]) => (await queryRows<Record<string, number>>(db, sql`select
  (select count(*)::int from report.o365_users) as users, (select count(*)::int from report.o365_user_addresses) as addresses,
  (select count(*)::int from report.o365_skus) as skus, (select count(*)::int from report.contacts) as contacts,
  (select count(*)::int from report.tenants) as tenants, (select count(*)::int from report.reports) as reports,
  (select count(*)::int from report.version_rows) as rows, (select count(*)::int from report.o365_user_removals) as removals`))[0]

t.test('deleting a client purges its data; late events about it change nothing', async (t) => {
  const { app } = await build(t)
  const keep = await createClient(app, 'Keep')
  await syncTenant(app, { tenantId: await connectTenant(app, keep), clientId: keep, users: [user({ mail: 'k@keep.com' })] })
  const clientId = await createClient(app, 'Gone')
  const tenantId = await connectTenant(app, clientId)
  await syncTenant(app, { tenantId, clientId, users: [user({ mail: 'a@gone.com' })], skus: [sku(E3, 1, 1)] })
  await syncTenant(app, { tenantId, clientId, mode: 'delta', removedIds: [randomUUID()], skus: [sku(E3, 1, 1)] })
  await upsertContact(app, clientId, contact({ email: 'a@gone.com' }))
  await createVersion(app, await createReport(app, clientId))
  const before = await counts(app.db)
  t.match(before, { users: 2, skus: 1, contacts: 1, tenants: 2, reports: 1, rows: 1, removals: 1 })

  t.equal((await app.inject({ method: 'DELETE', url: `/v1/clients/${clientId}`, headers: MSP })).statusCode, 204)
  t.match(await counts(app.db), { users: 1, addresses: 2, skus: 0, contacts: 0, tenants: 1, reports: 0, rows: 0, removals: 0 })

  const deleted = createEvent(ClientDeleted, { clientId, deletedAt: new Date().toISOString() })
  await handleClientDeleted(app.db, deleted)
  await handleClientDeleted(app.db, deleted)
  await syncTenant(app, { tenantId, clientId, users: [user()] })
  await upsertContact(app, clientId, contact({ email: 'late@gone.com' }))
  await connectTenant(app, clientId)
  t.match(await counts(app.db), { users: 1, contacts: 0, tenants: 1 }, 'late events ignored')
})
