import t from 'tap'
import { fetch } from 'undici'
import { ok, startStack } from '../../helper.js'
import { completedSync, connectTenant, createClient, json, readyVersion, usersListed, waitReady } from '../../flows.js'
import { unlessServices } from '../../services.js'

t.test('templates, reports and versions: rows as JSON pages and as streamed CSV, diff, sharing to the portal', { skip: unlessServices('report', 'tenant-auth', 'graph-sync') }, async (t) => {
  const stack = await startStack(t, { services: ['report', 'tenant-auth', 'graph-sync'] })
  const api = stack.api()
  const clientId = await createClient(stack, 'Northwind')
  const tenantId = await connectTenant(stack, clientId, { displayName: 'Northwind Traders', userCount: 7 })
  await completedSync(api, clientId, tenantId)
  const users = await usersListed(api, clientId, 7)

  const catalogue = ok(await api.GET('/v1/templates/columns', {}), 'columns')
  t.ok(catalogue.items.some((c) => c.key === 'mfaStatus'))
  const template = ok(await api.POST('/v1/templates', {
    body: {
      name: 'MFA audit',
      office365: {
        mergeMode: 'none',
        columns: [{ key: 'displayName', label: 'Name' }, { key: 'userPrincipalName' }, { key: 'mfaStatus', label: 'MFA' }, { key: 'userId', visible: false }]
      }
    }
  }), 'template')
  t.equal(ok(await api.GET('/v1/templates/{templateId}', { params: { path: { templateId: template.id } } }), 'template').name, 'MFA audit')
  t.ok(ok(await api.GET('/v1/templates', {}), 'templates').items.some((x) => x.id === template.id))

  const created = await api.POST('/v1/clients/{clientId}/reports', { params: { path: { clientId } }, body: { name: 'Monthly', templateId: template.id } })
  t.equal(created.response.status, 201)
  const report = ok(created, 'report')
  const accepted = await api.POST('/v1/reports/{reportId}/versions', { params: { path: { reportId: report.id } } })
  t.equal(accepted.response.status, 202)
  t.equal(accepted.response.headers.get('location'), `/v1/report-versions/${accepted.data!.id}`, 'Location is relayed')
  const first = await waitReady(api, accepted.data!.id)
  t.equal(first.rowCount, users.length)
  t.same(first.columns.map((c) => c.label), ['Name', 'User principal name', 'MFA', 'User id'])
  t.ok(first.mfaSummary && first.licenseSummary, 'summaries')

  const page1 = json(ok(await api.GET('/v1/report-versions/{versionId}/rows', { params: { path: { versionId: first.id }, query: { limit: 5 } } }), 'rows'))
  t.same(page1.columns, [{ key: 'displayName', label: 'Name' }, { key: 'userPrincipalName', label: 'User principal name' }, { key: 'mfaStatus', label: 'MFA' }])
  t.equal(page1.items.length, 5)
  t.ok(page1.nextCursor)
  const page2 = json(ok(await api.GET('/v1/report-versions/{versionId}/rows', { params: { path: { versionId: first.id }, query: { limit: 5, cursor: page1.nextCursor! } } }), 'rows'))
  t.same([...page1.items, ...page2.items].map((r) => r.rowNumber), Array.from({ length: users.length }, (_, i) => i + 1), 'cursor pages cover every row once')

  const csv = await fetch(`${stack.url}/v1/report-versions/${first.id}/rows`, { headers: { authorization: `Bearer ${stack.mspToken}`, accept: 'text/csv' } })
  t.equal(csv.status, 200)
  t.match(csv.headers.get('content-type'), /^text\/csv/)
  t.match(csv.headers.get('content-disposition'), /attachment; filename="report-version-1-/)
  t.equal(csv.headers.get('transfer-encoding'), 'chunked', 'streamed through, not buffered into one body')
  const lines = (await csv.text()).trimEnd().split('\r\n')
  t.equal(lines[0], 'Name,User principal name,MFA')
  t.equal(lines.length, users.length + 1)
  for (const row of [...page1.items, ...page2.items]) t.ok(lines.includes(`${row.values.displayName},${row.values.userPrincipalName},${row.values.mfaStatus}`))

  stack.sim!.admin.addUser(tenantId, { displayName: 'Newcomer', userPrincipalName: `newcomer@${tenantId}.example` } as never)
  const resync = ok(await api.POST('/v1/clients/{clientId}/tenants/{tenantId}/sync', { params: { path: { clientId, tenantId } }, body: {} }), 'sync')
  await usersListed(api, clientId, users.length + 1)
  t.ok(resync.syncId)
  const second = await readyVersion(api, report.id)
  t.equal(second.number, 2)
  const diff = ok(await api.GET('/v1/report-versions/{versionId}/diff', { params: { path: { versionId: second.id }, query: { against: first.id } } }), 'diff')
  t.match(diff, { number: 2, againstNumber: 1, usersAdded: { total: 1, items: [{ displayName: 'Newcomer' }] }, usersRemoved: { total: 0 } })

  const portal = stack.api(await stack.token({ role: 'client', clientId }))
  t.equal((await portal.GET('/v1/report-versions/{versionId}', { params: { path: { versionId: first.id } } })).response.status, 404, 'not shared: not there for the portal')
  const shared = ok(await api.POST('/v1/report-versions/{versionId}/share', { params: { path: { versionId: first.id } } }), 'share')
  t.equal(shared.shared, true)
  t.equal((await portal.POST('/v1/report-versions/{versionId}/share', { params: { path: { versionId: second.id } } })).response.status, 403, 'the portal cannot share')
  const listed = ok(await portal.GET('/v1/reports/{reportId}/versions', { params: { path: { reportId: report.id } } }), 'portal versions')
  t.same(listed.items.map((v) => v.id), [first.id], 'the portal lists shared versions only')
  t.equal(ok(await portal.GET('/v1/reports/{reportId}', { params: { path: { reportId: report.id } } }), 'portal report').latestVersion?.id, first.id)
  t.equal(json(ok(await portal.GET('/v1/report-versions/{versionId}/rows', { params: { path: { versionId: first.id } } }), 'portal rows')).items.length, users.length)
  const portalCsv = await fetch(`${stack.url}/v1/report-versions/${first.id}/rows`, { headers: { authorization: `Bearer ${await stack.token({ role: 'client', clientId })}`, accept: 'text/csv' } })
  t.equal(portalCsv.status, 200)
  t.match(portalCsv.headers.get('content-type'), /^text\/csv/)
  await portalCsv.body?.cancel()
  t.equal((await portal.GET('/v1/templates', {})).response.status, 404, 'templates are the MSP\'s')

  ok(await api.POST('/v1/report-versions/{versionId}/unshare', { params: { path: { versionId: first.id } } }), 'unshare')
  t.equal((await portal.GET('/v1/report-versions/{versionId}/rows', { params: { path: { versionId: first.id } } })).response.status, 404, 'unshared again')
})
