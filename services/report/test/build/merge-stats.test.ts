import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { ContactsDeleted, createEvent, TenantDisconnected } from '@m365/contracts'
import { handleContactDeleted } from '../../src/read-model/contacts.js'
import { handleTenantEvent } from '../../src/read-model/tenants.js'
import { allRows, connectTenant, contact, createClient, createReport, createTemplate, createVersion, E3, syncTenant, upsertContact, user } from '../fixtures.js'
import { build } from '../helper.js'

/**
 * Licensed users matched on mail, on a proxy address only and on an other mail; a deleted licensed
 * user with a contact; a licensed user of a disconnected tenant with a contact; a deleted contact.
 */
async function seed (app: FastifyInstance) {
  const clientId = await createClient(app)
  const tenantId = await connectTenant(app, clientId)
  await syncTenant(app, {
    tenantId,
    clientId,
    users: [
      user({ displayName: 'Ann', mail: 'ann@contoso.com', otherMails: ['ann.private@example.org'], licenses: [E3] }),
      user({ displayName: 'Cat', mail: 'cat@contoso.com', proxyAddresses: ['SMTP:cat@contoso.com', 'smtp:Catherine@Contoso.com'], licenses: [E3] }),
      user({ displayName: 'Dan', mail: 'dan@contoso.com', licenses: [E3], deleted: true, deletedAt: '2026-01-01T00:00:00.000Z' }),
      user({ displayName: 'Eve', mail: 'eve@contoso.com', licenses: [E3] }),
      user({ displayName: 'Gus', mail: 'gus@contoso.com', otherMails: ['Gus@Gmail.com'] })
    ]
  })
  const goneTenantId = await connectTenant(app, clientId)
  await syncTenant(app, { tenantId: goneTenantId, clientId, users: [user({ displayName: 'Hal', mail: 'hal@fabrikam.com', licenses: [E3] })] })
  await handleTenantEvent(app.db, createEvent(TenantDisconnected, { clientId, tenantId: goneTenantId, disconnectedAt: new Date(Date.now() + 1000).toISOString() }))

  for (const [firstName, email] of [['Ann', 'ANN@contoso.com'], ['Ann P', 'ann.private@example.org'], ['Cat', 'catherine@contoso.com'],
    ['Dan', 'dan@contoso.com'], ['Gus', 'gus@gmail.com'], ['Hal', 'hal@fabrikam.com'], ['Zed', 'zed@elsewhere.com']] as const) {
    await upsertContact(app, clientId, contact({ firstName, lastName: 'C', email }))
  }
  const gone = await upsertContact(app, clientId, contact({ firstName: 'Eve', lastName: 'Gone', email: 'eve@contoso.com' }))
  const { psa, connectionId, externalId } = gone.data.contact
  await handleContactDeleted(app.db, createEvent(ContactsDeleted, { clientId, revision: gone.data.revision + 1, psa, connectionId, externalId, deletedAt: new Date().toISOString() }))
  return clientId
}

const columns = ['displayName', 'matchedBy', 'contactName'].map((key) => ({ key }))

/** Counts that do not depend on the mode: any match between a visible user and a contact counts. */
const overall = { contacts: 7, contactsWithoutLicense: 4, licensedUsers: 3, licensedUsersWithoutContact: 1 }

t.test('merge statistics: row counts equal the rows\' match columns, the other counts are the same in every mode', async (t) => {
  const { app } = await build(t)
  const clientId = await seed(app)
  const expected = {
    'o365+contacts': { rows: 5, matched: 4, matchedBy: { mail: 2, upn: 0, proxyAddress: 1, otherMail: 1 } },
    'contacts+o365': { rows: 7, matched: 5, matchedBy: { mail: 2, upn: 0, proxyAddress: 1, otherMail: 2 } },
    none: { rows: 5, matched: 0, matchedBy: { mail: 0, upn: 0, proxyAddress: 0, otherMail: 0 } }
  }
  for (const [mergeMode, counts] of Object.entries(expected)) {
    const templateId = await createTemplate(app, { name: mergeMode, office365: { mergeMode, columns } })
    const version = await createVersion(app, await createReport(app, clientId, templateId))
    t.equal(version.status, 'ready', mergeMode)
    const rows = (await allRows(app, version.id)).items.map((row) => row.values)
    const fromRows = { mail: 0, upn: 0, proxyAddress: 0, otherMail: 0 }
    for (const row of rows) if (typeof row.matchedBy === 'string') fromRows[row.matchedBy as keyof typeof fromRows]++
    t.same(version.mergeStats, { mode: mergeMode, ...counts, ...overall }, mergeMode)
    t.same(version.mergeStats.matchedBy, fromRows, `${mergeMode}: matchedBy as the rows show it`)
    t.equal(version.mergeStats.rows, rows.length, `${mergeMode}: rows`)
    t.equal(version.mergeStats.matched, rows.filter((row) => row.matchedBy !== null).length, `${mergeMode}: matched`)
  }
})
