import t, { type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { allRows, connectTenant, contact, createClient, createReport, createTemplate, createVersion, E3, mfa, syncTenant, upsertContact, user } from '../fixtures.js'
import { build } from '../helper.js'

const columns = ['displayName', 'email', 'matchedAddress', 'matchedBy', 'contactName', 'contactEmail', 'source'].map((key) => ({ key }))

async function seed (app: FastifyInstance) {
  const clientId = await createClient(app)
  const tenantId = await connectTenant(app, clientId)
  await syncTenant(app, {
    tenantId,
    clientId,
    users: [
      user({ displayName: 'Ann', mail: 'ann@contoso.com', otherMails: ['ann.private@example.org'], licenses: [E3], mfa: mfa('Enabled') }),
      user({ displayName: 'Bob', mail: null, userPrincipalName: 'bob@contoso.com' }),
      user({ displayName: 'Cat', mail: 'cat@contoso.com', proxyAddresses: ['SMTP:cat@contoso.com', 'smtp:Catherine@Contoso.com'] }),
      user({ displayName: 'Dan', mail: 'dan@contoso.com', otherMails: ['Dan@Gmail.com'] }),
      user({ displayName: 'Eve', mail: 'eve@contoso.com', licenses: [E3] })
    ]
  })
  await upsertContact(app, clientId, contact({ firstName: 'Ann', lastName: 'Work', email: 'ANN@contoso.com' }))
  await upsertContact(app, clientId, contact({ firstName: 'Ann', lastName: 'Private', email: 'ann.private@example.org' }))
  await upsertContact(app, clientId, contact({ firstName: 'Bob', lastName: 'B', email: 'Bob@Contoso.com' }))
  await upsertContact(app, clientId, contact({ firstName: 'Cat', lastName: 'C', email: 'catherine@contoso.com' }))
  await upsertContact(app, clientId, contact({ firstName: 'Dan', lastName: 'D', email: 'dan@gmail.com' }))
  await upsertContact(app, clientId, contact({ firstName: 'Zed', lastName: 'Z', email: 'zed@elsewhere.com' }))
  return clientId
}

async function rowsFor (t: Test, app: FastifyInstance, clientId: string, mergeMode: string) {
  const templateId = await createTemplate(app, { name: mergeMode, office365: { mergeMode, columns } })
  const version = await createVersion(app, await createReport(app, clientId, templateId))
  t.equal(version.status, 'ready')
  return { version, rows: (await allRows(app, version.id)).items.map((row) => row.values) }
}

t.test('o365+contacts: one row per user, contact data joined on mail, UPN, proxy address or other mail', async (t) => {
  const { app } = await build(t)
  const clientId = await seed(app)
  const { rows, version } = await rowsFor(t, app, clientId, 'o365+contacts')
  t.same(rows, [
    { displayName: 'Ann', email: 'ann@contoso.com', matchedAddress: 'ann@contoso.com', matchedBy: 'mail', contactName: 'Ann Work', contactEmail: 'ann@contoso.com', source: 'o365+contact' },
    { displayName: 'Bob', email: 'bob@contoso.com', matchedAddress: 'bob@contoso.com', matchedBy: 'upn', contactName: 'Bob B', contactEmail: 'bob@contoso.com', source: 'o365+contact' },
    { displayName: 'Cat', email: 'cat@contoso.com', matchedAddress: 'catherine@contoso.com', matchedBy: 'proxyAddress', contactName: 'Cat C', contactEmail: 'catherine@contoso.com', source: 'o365+contact' },
    { displayName: 'Dan', email: 'dan@contoso.com', matchedAddress: 'dan@gmail.com', matchedBy: 'otherMail', contactName: 'Dan D', contactEmail: 'dan@gmail.com', source: 'o365+contact' },
    { displayName: 'Eve', email: 'eve@contoso.com', matchedAddress: null, matchedBy: null, contactName: null, contactEmail: null, source: 'o365' }
  ])
  t.same(version.mergeStats, {
    mode: 'o365+contacts',
    rows: 5,
    matched: 4,
    matchedBy: { mail: 1, upn: 1, proxyAddress: 1, otherMail: 1 },
    contacts: 6,
    contactsWithoutLicense: 4,
    licensedUsers: 2,
    licensedUsersWithoutContact: 1
  })
})

t.test('contacts+o365: one row per contact, O365 data added; unmatched contacts stay', async (t) => {
  const { app } = await build(t)
  const clientId = await seed(app)
  const { rows, version } = await rowsFor(t, app, clientId, 'contacts+o365')
  t.same(rows, [
    { displayName: 'Ann', email: 'ann@contoso.com', matchedAddress: 'ann.private@example.org', matchedBy: 'otherMail', contactName: 'Ann Private', contactEmail: 'ann.private@example.org', source: 'o365+contact' },
    { displayName: 'Ann', email: 'ann@contoso.com', matchedAddress: 'ann@contoso.com', matchedBy: 'mail', contactName: 'Ann Work', contactEmail: 'ann@contoso.com', source: 'o365+contact' },
    { displayName: 'Bob', email: 'bob@contoso.com', matchedAddress: 'bob@contoso.com', matchedBy: 'upn', contactName: 'Bob B', contactEmail: 'bob@contoso.com', source: 'o365+contact' },
    { displayName: 'Cat', email: 'cat@contoso.com', matchedAddress: 'catherine@contoso.com', matchedBy: 'proxyAddress', contactName: 'Cat C', contactEmail: 'catherine@contoso.com', source: 'o365+contact' },
    { displayName: 'Dan', email: 'dan@contoso.com', matchedAddress: 'dan@gmail.com', matchedBy: 'otherMail', contactName: 'Dan D', contactEmail: 'dan@gmail.com', source: 'o365+contact' },
    { displayName: null, email: 'zed@elsewhere.com', matchedAddress: null, matchedBy: null, contactName: 'Zed Z', contactEmail: 'zed@elsewhere.com', source: 'contact' }
  ])
  t.match(version.mergeStats, { mode: 'contacts+o365', rows: 6, matched: 5, matchedBy: { mail: 1, upn: 1, proxyAddress: 1, otherMail: 2 } })
})

t.test('none: users only, no contact data', async (t) => {
  const { app } = await build(t)
  const clientId = await seed(app)
  const { rows, version } = await rowsFor(t, app, clientId, 'none')
  t.same(rows.map((row) => [row.displayName, row.matchedBy, row.contactName, row.source]), [
    ['Ann', null, null, 'o365'], ['Bob', null, null, 'o365'], ['Cat', null, null, 'o365'], ['Dan', null, null, 'o365'], ['Eve', null, null, 'o365']
  ])
  t.match(version.mergeStats, { mode: 'none', rows: 5, matched: 0, contacts: 6 })
})
