import t from 'tap'
import { randomUUID } from 'node:crypto'
import { ReportVersionCreated, type EventOf } from '@m365/contracts'
import { asClient, build, MSP, waitFor } from '../../helper.js'
import {
  allRows, BP, connectTenant, contact, createClient, createReport, createTemplate, createVersion, E3, mfa, sku, syncTenant, upsertContact, user
} from '../../fixtures.js'

t.test('POST versions: 202 building, then ready, numbered, announced with ReportVersionCreated', async (t) => {
  const { app, bus } = await build(t)
  const announced: Array<EventOf<typeof ReportVersionCreated>> = []
  await bus.consume(ReportVersionCreated, { durable: 'test-version-created' }, async (event) => { announced.push(event) })
  const clientId = await createClient(app)
  await syncTenant(app, { tenantId: await connectTenant(app, clientId), clientId, users: [user({ displayName: 'Ann' })] })
  const reportId = await createReport(app, clientId)
  const res = await app.inject({ method: 'POST', url: `/v1/reports/${reportId}/versions`, headers: MSP })
  t.equal(res.statusCode, 202)
  t.match(res.json(), { number: 1, status: 'building', reportId, clientId, shared: false, rowCount: null })
  t.equal(res.headers.location, `/v1/report-versions/${res.json().id}`)
  const version = await waitFor(async () => {
    const v = (await app.inject({ url: res.headers.location as string, headers: MSP })).json()
    return v.status === 'ready' ? v : undefined
  }, 'version ready')
  t.match(version, { number: 1, rowCount: 1, template: { name: 'Office 365 users and contacts', revision: 1, mergeMode: 'o365+contacts' } })
  const event = await waitFor(() => announced.find((e) => e.data.versionId === version.id), 'ReportVersionCreated')
  t.match(event.data, { reportId, clientId, number: 1, rowCount: 1 })
  const report = (await app.inject({ url: `/v1/reports/${reportId}`, headers: MSP })).json()
  t.equal(report.latestVersion.id, version.id)
  t.equal((await app.inject({ method: 'POST', url: `/v1/reports/${randomUUID()}/versions`, headers: MSP })).statusCode, 404)
})

t.test('concurrent POSTs get numbers 1..n without gaps or repeats; the list pages newest first', async (t) => {
  const { app } = await build(t)
  const reportId = await createReport(app, await createClient(app))
  const responses = await Promise.all(Array.from({ length: 12 }, () =>
    app.inject({ method: 'POST', url: `/v1/reports/${reportId}/versions`, headers: MSP })))
  t.same(responses.map((r) => r.statusCode), Array(12).fill(202))
  t.same(responses.map((r) => r.json().number).sort((a, b) => a - b), Array.from({ length: 12 }, (_, i) => i + 1))
  const first = (await app.inject({ url: `/v1/reports/${reportId}/versions?limit=5`, headers: MSP })).json()
  t.same(first.items.map((v: { number: number }) => v.number), [12, 11, 10, 9, 8])
  const second = (await app.inject({ url: `/v1/reports/${reportId}/versions?limit=5&cursor=${first.nextCursor}`, headers: MSP })).json()
  t.same(second.items.map((v: { number: number }) => v.number), [7, 6, 5, 4, 3])
  await waitFor(async () => (await app.inject({ url: `/v1/reports/${reportId}/versions?limit=20`, headers: MSP })).json()
    .items.every((v: { status: string }) => v.status === 'ready'), 'all built')
})

t.test('a template change after version 1 leaves version 1 as it was', async (t) => {
  const { app } = await build(t)
  const clientId = await createClient(app)
  await syncTenant(app, { tenantId: await connectTenant(app, clientId), clientId, users: [user({ displayName: 'Ann', mail: 'ann@contoso.com' })] })
  const templateId = await createTemplate(app, { name: 'T', office365: { mergeMode: 'none', columns: [{ key: 'displayName', label: 'Name' }, { key: 'email' }] } })
  const reportId = await createReport(app, clientId, templateId)
  const v1 = await createVersion(app, reportId)
  const rowsBefore = await allRows(app, v1.id)
  await app.inject({
    method: 'PATCH',
    url: `/v1/templates/${templateId}`,
    headers: MSP,
    payload: { name: 'T2', office365: { columns: [{ key: 'email', label: 'Mail' }, { key: 'displayName', visible: false }, { key: 'userType' }] } }
  })
  const v2 = await createVersion(app, reportId)
  t.same((await app.inject({ url: `/v1/report-versions/${v1.id}`, headers: MSP })).json(), v1, 'version 1 unchanged')
  t.same(await allRows(app, v1.id), rowsBefore, 'its rows unchanged')
  t.same(rowsBefore.columns, [{ key: 'displayName', label: 'Name' }, { key: 'email', label: 'Email' }])
  t.match(v2, { number: 2, template: { name: 'T2', revision: 2 } })
  t.same((await allRows(app, v2.id)).items, [{ rowNumber: 1, values: { email: 'ann@contoso.com', userType: 'Member' } }])
})

t.test('license and MFA summaries, source of the data', async (t) => {
  const { app } = await build(t)
  const clientId = await createClient(app)
  const tenantId = await connectTenant(app, clientId)
  const sync = await syncTenant(app, {
    tenantId,
    clientId,
    skus: [sku(E3, 10, 6), sku(BP, 5, 1)],
    users: [
      user({ licenses: [E3], mfa: mfa('Enabled') }),
      user({ licenses: [E3], mfa: mfa('Enabled') }),
      user({ licenses: [E3, BP], mfa: mfa('Disabled') }),
      user({ licenses: [E3], accountEnabled: false, mfa: mfa('Disabled') }),
      user({ licenses: [E3], deleted: true, deletedAt: new Date().toISOString(), accountEnabled: false, mfa: mfa('Disabled') }),
      user({ licenses: [E3], userType: 'Guest', mfa: mfa('Disabled') }),
      user({ objectType: 'orgContact', userType: null, accountEnabled: null, mfa: mfa('N/A') }),
      user({ mfa: mfa('Unknown') })
    ]
  })
  const c = await upsertContact(app, clientId, contact({ email: 'x@y.z' }), 41)
  const version = await createVersion(app, await createReport(app, clientId))
  t.same(version.licenseSummary, [
    { skuId: E3.skuId, skuPartNumber: 'ENTERPRISEPACK', productName: 'Office 365 E3', total: 10, assigned: 6, available: 4, assignedToDisabled: 1, assignedToDeleted: 1 },
    { skuId: BP.skuId, skuPartNumber: 'SPB', productName: 'Microsoft 365 Business Premium', total: 5, assigned: 1, available: 4, assignedToDisabled: 0, assignedToDeleted: 0 }
  ])
  t.same(version.mfaSummary, {
    enabled: 2,
    disabled: 4,
    notApplicable: 1,
    unknown: 1,
    total: 8,
    enabledMemberAccounts: 4,
    enabledMembersWithMfa: 2,
    enabledMembersWithMfaPercent: 50
  })
  t.same(version.source, {
    tenants: [{ tenantId, syncId: sync.syncId, mode: 'full', completedAt: sync.completed.data.completedAt }],
    contacts: { count: 1, maxRevision: c.data.revision, lastChangeAt: version.source.contacts.lastChangeAt }
  })
  t.ok(Date.parse(version.source.contacts.lastChangeAt))
  const licenses = (await app.inject({ url: `/v1/clients/${clientId}/office365/licenses`, headers: MSP })).json()
  t.same(licenses.items, [...version.licenseSummary].sort((a, b) => a.skuPartNumber.localeCompare(b.skuPartNumber)), 'current licenses agree')
})

t.test('sharing changes who sees a version, never its content', async (t) => {
  const { app } = await build(t)
  const clientId = await createClient(app)
  await syncTenant(app, { tenantId: await connectTenant(app, clientId), clientId, users: [user({ displayName: 'Ann' })] })
  const reportId = await createReport(app, clientId)
  const v1 = await createVersion(app, reportId)
  const v2 = await createVersion(app, reportId)
  const portal = asClient(clientId)
  t.equal((await app.inject({ url: `/v1/report-versions/${v1.id}`, headers: portal })).statusCode, 404, 'not shared: not there')
  t.same((await app.inject({ url: `/v1/reports/${reportId}/versions`, headers: portal })).json().items, [])
  t.equal((await app.inject({ url: `/v1/reports/${reportId}`, headers: portal })).json().latestVersion, null)

  const shared = await app.inject({ method: 'POST', url: `/v1/report-versions/${v1.id}/share`, headers: MSP })
  t.equal(shared.statusCode, 200)
  t.match(shared.json(), { shared: true, sharedAt: String })
  const seen = (await app.inject({ url: `/v1/report-versions/${v1.id}`, headers: portal })).json()
  const { shared: _s, sharedAt: _a, ...content } = seen
  const { shared: _s1, sharedAt: _a1, ...original } = v1
  t.same(content, original, 'same content')
  t.same(await allRows(app, v1.id, portal), await allRows(app, v1.id))
  t.same((await app.inject({ url: `/v1/reports/${reportId}/versions`, headers: portal })).json().items.map((v: { id: string }) => v.id), [v1.id])
  t.equal((await app.inject({ url: `/v1/reports/${reportId}`, headers: portal })).json().latestVersion.id, v1.id, 'newest shared, not v2')
  t.equal((await app.inject({ url: `/v1/report-versions/${v2.id}/rows`, headers: portal })).statusCode, 404)

  t.equal((await app.inject({ method: 'POST', url: `/v1/report-versions/${v1.id}/unshare`, headers: portal })).statusCode, 403)
  t.equal((await app.inject({ method: 'POST', url: `/v1/report-versions/${v1.id}/unshare`, headers: MSP })).statusCode, 200)
  t.equal((await app.inject({ url: `/v1/report-versions/${v1.id}`, headers: portal })).statusCode, 404)
  t.equal((await app.inject({ method: 'POST', url: `/v1/report-versions/${randomUUID()}/share`, headers: MSP })).statusCode, 404)
})
