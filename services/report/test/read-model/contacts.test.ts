import t from 'tap'
import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { sql } from 'drizzle-orm'
import { ContactsDeleted, ContactsUpserted, createEvent, TenantConnected, TenantDisconnected } from '@m365/contracts'
import { queryRows } from '@m365/db'
import { handleContactDeleted, handleContactUpserted } from '../../src/read-model/contacts.js'
import { handleTenantEvent } from '../../src/read-model/tenants.js'
import { build } from '../helper.js'
import { contact } from '../fixtures.js'

const clientId = randomUUID()

async function contactRows (app: FastifyInstance) {
  return await queryRows<{ first_name: string | null, revision: number, deleted: boolean, primary_email: string | null }>(app.db,
    sql`select first_name, revision::int as revision, deleted, primary_email from report.contacts`)
}
const addresses = async (app: FastifyInstance) =>
  await queryRows<{ address: string, is_primary: boolean }>(app.db, sql`select address, is_primary from report.contact_addresses order by address`)

t.test('contacts: same event twice is one change; older revisions are ignored', async (t) => {
  const { app } = await build(t)
  const c = contact({
    firstName: 'Ann',
    emails: [{ address: ' Ann@Contoso.com ', primary: false, sourceField: 'a' }, { address: 'ann.lee@contoso.com', primary: true, sourceField: 'b' }]
  })
  const v2 = createEvent(ContactsUpserted, { clientId, revision: 2, contact: c })
  await handleContactUpserted(app.db, v2)
  await handleContactUpserted(app.db, v2)
  t.same(await contactRows(app), [{ first_name: 'Ann', revision: 2, deleted: false, primary_email: 'ann.lee@contoso.com' }])
  t.same(await addresses(app), [{ address: 'ann.lee@contoso.com', is_primary: true }, { address: 'ann@contoso.com', is_primary: false }])

  await handleContactUpserted(app.db, createEvent(ContactsUpserted, { clientId, revision: 1, contact: { ...c, firstName: 'Stale' } }))
  await handleContactUpserted(app.db, createEvent(ContactsUpserted, { clientId, revision: 2, contact: { ...c, firstName: 'Same revision' } }))
  t.equal((await contactRows(app))[0]?.first_name, 'Ann', 'not newer: dropped')

  await handleContactUpserted(app.db, createEvent(ContactsUpserted, { clientId, revision: 3, contact: { ...c, firstName: 'Annie', emails: [] } }))
  t.same(await contactRows(app), [{ first_name: 'Annie', revision: 3, deleted: false, primary_email: null }])
  t.same(await addresses(app), [])
})

t.test('a deletion leaves a tombstone that keeps older upserts out', async (t) => {
  const { app } = await build(t)
  const c = contact({ email: 'bob@contoso.com' })
  await handleContactUpserted(app.db, createEvent(ContactsUpserted, { clientId, revision: 4, contact: c }))
  const deleted = createEvent(ContactsDeleted, {
    clientId, revision: 5, psa: c.psa, connectionId: c.connectionId, externalId: c.externalId, deletedAt: new Date().toISOString()
  })
  await handleContactDeleted(app.db, deleted)
  await handleContactDeleted(app.db, deleted)
  t.same(await contactRows(app), [{ first_name: null, revision: 5, deleted: true, primary_email: null }])
  t.same(await addresses(app), [])
  await handleContactUpserted(app.db, createEvent(ContactsUpserted, { clientId, revision: 4, contact: c }))
  t.equal((await contactRows(app))[0]?.deleted, true, 'late older upsert stays dropped')
  await handleContactUpserted(app.db, createEvent(ContactsUpserted, { clientId, revision: 6, contact: c }))
  t.equal((await contactRows(app))[0]?.deleted, false, 'a newer upsert brings it back')
})

t.test('tenants: the latest event wins, whatever the arrival order', async (t) => {
  const { app } = await build(t)
  const tenantId = randomUUID()
  const now = Date.now()
  await handleTenantEvent(app.db, createEvent(TenantDisconnected, { clientId, tenantId, disconnectedAt: new Date(now).toISOString() }))
  await handleTenantEvent(app.db, createEvent(TenantConnected, { clientId, tenantId, displayName: 'Contoso', connectedAt: new Date(now - 1000).toISOString() }))
  t.match(await queryRows(app.db, sql`select status, display_name from report.tenants`), [{ status: 'disconnected', display_name: null }])
  await handleTenantEvent(app.db, createEvent(TenantConnected, { clientId, tenantId, displayName: 'Contoso', connectedAt: new Date(now + 1000).toISOString() }))
  t.match(await queryRows(app.db, sql`select status, display_name from report.tenants`), [{ status: 'connected', display_name: 'Contoso' }])
})
