import t from 'tap'
import { build, MSP, waitFor } from '../helper.js'
import { applySyncEvents, connectTenant, contact, createClient, createReport, E3, mfa, sku, syncEvents, upsertContact, user } from '../fixtures.js'

const USERS = 50_000

t.test('a 50,000-user version is built in the database while other requests are answered', async (t) => {
  const { app } = await build(t)
  const clientId = await createClient(app)
  const tenantId = await connectTenant(app, clientId)
  const users = Array.from({ length: USERS }, (_, i) => user({
    displayName: `User ${String(i).padStart(5, '0')}`,
    mail: `user${i}@contoso.com`,
    licenses: i % 2 === 0 ? [E3] : [],
    mfa: mfa(i % 3 === 0 ? 'Enabled' : 'Disabled')
  }))
  await applySyncEvents(app, syncEvents({ tenantId, clientId, users, skus: [sku(E3, USERS, USERS / 2)] }))
  for (let i = 0; i < 20; i++) await upsertContact(app, clientId, contact({ email: `user${i * 7}@contoso.com` }))
  const reportId = await createReport(app, clientId)

  const posted = await app.inject({ method: 'POST', url: `/v1/reports/${reportId}/versions`, headers: MSP })
  t.equal(posted.statusCode, 202)
  const versionId = posted.json().id
  // Requests keep being answered during the build; each sees the version either building or complete, never half built.
  const seen = new Set<string>()
  const version = await waitFor(async () => {
    const clients = await app.inject({ url: '/v1/clients', headers: MSP })
    t.equal(clients.statusCode, 200)
    const v = (await app.inject({ url: `/v1/report-versions/${versionId}`, headers: MSP })).json()
    seen.add(v.status)
    if (v.status === 'building') t.equal(v.rowCount, null)
    return v.status === 'ready' ? v : undefined
  }, 'the large version', 120_000)
  t.comment(`statuses seen while polling: ${[...seen].join(', ')}`)
  t.equal(version.rowCount, USERS)
  t.match(version.licenseSummary, [{ skuPartNumber: 'ENTERPRISEPACK', total: USERS, assigned: USERS / 2, available: USERS / 2 }])
  t.match(version.mfaSummary, { total: USERS, enabled: Math.ceil(USERS / 3), enabledMemberAccounts: USERS })
  t.match(version.mergeStats, { rows: USERS, matched: 20 })
  const last = (await app.inject({ url: `/v1/report-versions/${versionId}/rows?limit=1&cursor=${Buffer.from(JSON.stringify([USERS - 1])).toString('base64url')}`, headers: MSP })).json()
  t.match(last.items, [{ rowNumber: USERS, values: { displayName: 'User 49999' } }])
})
