import t from 'tap'
import { randomUUID } from 'node:crypto'
import { asClient, build, MSP } from '../../helper.js'
import {
  allRows, BP, connectTenant, contact, createClient, createReport, createTemplate, createVersion, E3, mfa, syncTenant, upsertContact, user
} from '../../fixtures.js'

const template = {
  name: 'Renamed, hidden, reordered',
  office365: {
    mergeMode: 'o365+contacts',
    columns: [
      { key: 'mfaStatus', label: 'MFA?' },
      { key: 'displayName', label: 'Who' },
      { key: 'userPrincipalName', visible: false },
      { key: 'licenses', label: 'Licences, assigned' },
      { key: 'licenseCount' },
      { key: 'accountEnabled', label: 'Enabled' },
      { key: 'contactTitle', label: 'Title "job"' },
      { key: 'mfaMethods' }
    ]
  }
}

async function seed (t: Parameters<typeof build>[0]) {
  const { app } = await build(t)
  const clientId = await createClient(app)
  await syncTenant(app, {
    tenantId: await connectTenant(app, clientId),
    clientId,
    users: [
      user({ displayName: '=HYPERLINK("http://evil")', mail: 'eve@contoso.com', licenses: [E3, BP], mfa: mfa('Enabled', { methods: ['fido2', 'sms'] }) }),
      user({ displayName: 'Lee, Ann', mail: 'ann@contoso.com', accountEnabled: false }),
      user({ displayName: 'Bob\nMultiline', mail: 'bob@contoso.com', accountEnabled: null }),
      user({ displayName: '@SUM(A1)', mail: 'sum@contoso.com' }),
      user({ displayName: '-1+2', mail: 'minus@contoso.com' }),
      user({ displayName: '+plus', mail: 'plus@contoso.com' })
    ]
  })
  await upsertContact(app, clientId, contact({ email: 'ann@contoso.com', title: 'Head of "Things"' }))
  const reportId = await createReport(app, clientId, await createTemplate(app, template))
  return { app, clientId, version: await createVersion(app, reportId) }
}

t.test('JSON rows: visible columns only, in the template order, keyed by column key, paged by row number', async (t) => {
  const { app, version } = await seed(t)
  const first = await app.inject({ url: `/v1/report-versions/${version.id}/rows?limit=4`, headers: MSP })
  t.equal(first.statusCode, 200)
  const page = first.json()
  t.same(page.columns, [
    { key: 'mfaStatus', label: 'MFA?' },
    { key: 'displayName', label: 'Who' },
    { key: 'licenses', label: 'Licences, assigned' },
    { key: 'licenseCount', label: 'License count' },
    { key: 'accountEnabled', label: 'Enabled' },
    { key: 'contactTitle', label: 'Title "job"' },
    { key: 'mfaMethods', label: 'MFA methods' }
  ])
  t.same(page.items.map((row: { rowNumber: number }) => row.rowNumber), [1, 2, 3, 4])
  t.same(Object.keys(page.items[0].values), page.columns.map((c: { key: string }) => c.key), 'values in column order')
  const rest = (await app.inject({ url: `/v1/report-versions/${version.id}/rows?limit=4&cursor=${page.nextCursor}`, headers: MSP })).json()
  t.same(rest.items.map((row: { rowNumber: number }) => row.rowNumber), [5, 6])
  t.equal(rest.nextCursor, null)
  const byName = new Map([...page.items, ...rest.items].map((row) => [row.values.displayName, row.values]))
  t.same(byName.get('=HYPERLINK("http://evil")'), {
    mfaStatus: 'Enabled',
    displayName: '=HYPERLINK("http://evil")',
    licenses: ['Microsoft 365 Business Premium', 'Office 365 E3'],
    licenseCount: 2,
    accountEnabled: true,
    contactTitle: null,
    mfaMethods: ['fido2', 'sms']
  })
  t.same(byName.get('Lee, Ann'), {
    mfaStatus: 'Disabled', displayName: 'Lee, Ann', licenses: [], licenseCount: 0, accountEnabled: false, contactTitle: 'Head of "Things"', mfaMethods: []
  })
  t.same(byName.get('Bob\nMultiline'), {
    mfaStatus: 'Disabled', displayName: 'Bob\nMultiline', licenses: [], licenseCount: 0, accountEnabled: null, contactTitle: null, mfaMethods: []
  })
  t.equal(byName.size, 6)
})

t.test('the Accept header chooses CSV or JSON by its q-values; JSON without a preference', async (t) => {
  const { app, version } = await seed(t)
  const cases: Array<[string | undefined, RegExp]> = [
    [undefined, /^application\/json/],
    ['*/*', /^application\/json/],
    ['text/csv', /^text\/csv/],
    ['text/csv, application/json;q=0.1', /^text\/csv/],
    ['application/json;q=0, text/csv', /^text\/csv/],
    ['application/json, text/csv', /^application\/json/],
    ['text/csv;q=0.5, application/json', /^application\/json/]
  ]
  for (const [accept, type] of cases) {
    const res = await app.inject({ url: `/v1/report-versions/${version.id}/rows`, headers: { ...MSP, ...(accept === undefined ? {} : { accept }) } })
    t.equal(res.statusCode, 200, String(accept))
    t.match(res.headers['content-type'], type, String(accept))
  }
})

t.test('CSV: the labels and order, every value, RFC 4180 quoting, formula cells defused', async (t) => {
  const { app, version } = await seed(t)
  const res = await app.inject({ url: `/v1/report-versions/${version.id}/rows`, headers: { ...MSP, accept: 'text/csv' } })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^text\/csv/)
  t.match(res.headers['content-disposition'], /^attachment; filename="report-version-1-/)
  // row order is the database's (name collation); each line is checked against its row's expected CSV
  const expected = new Map([
    ['-1+2', "Disabled,'-1+2,,0,true,,"],
    ['+plus', "Disabled,'+plus,,0,true,,"],
    ['@SUM(A1)', "Disabled,'@SUM(A1),,0,true,,"],
    ['Bob\nMultiline', 'Disabled,"Bob\nMultiline",,0,,,'],
    ['Lee, Ann', 'Disabled,"Lee, Ann",,0,false,"Head of ""Things""",'],
    ['=HYPERLINK("http://evil")', 'Enabled,"\'=HYPERLINK(""http://evil"")","Microsoft 365 Business Premium; Office 365 E3",2,true,,"fido2; sms"']
  ])
  const order = (await allRows(app, version.id)).items.map((row) => row.values.displayName as string)
  t.equal(res.body, [
    'MFA?,Who,"Licences, assigned",License count,Enabled,"Title ""job""",MFA methods',
    ...order.map((name) => expected.get(name)),
    ''
  ].join('\r\n'))
})

t.test('rows: unknown version 404, unknown cursor 400, version still building 409', async (t) => {
  const { app, clientId } = await seed(t)
  t.equal((await app.inject({ url: `/v1/report-versions/${randomUUID()}/rows`, headers: MSP })).statusCode, 404)
  const reportId = await createReport(app, clientId)
  const version = await createVersion(app, reportId)
  t.equal((await app.inject({ url: `/v1/report-versions/${version.id}/rows?cursor=xyz`, headers: MSP })).statusCode, 400)
  t.equal((await app.inject({ url: `/v1/report-versions/${version.id}/rows?limit=0`, headers: MSP })).statusCode, 400)
  const building = await app.inject({ method: 'POST', url: `/v1/reports/${reportId}/versions`, headers: MSP })
  const res = await app.inject({ url: `/v1/report-versions/${building.json().id}/rows`, headers: MSP })
  if (res.statusCode !== 200) {
    t.equal(res.statusCode, 409)
    t.equal(res.json().code, 'VERSION_NOT_READY')
  }
  t.equal((await app.inject({ url: `/v1/report-versions/${version.id}/rows`, headers: asClient(clientId) })).statusCode, 404, 'not shared')
})
