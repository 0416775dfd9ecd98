import t from 'tap'
import { asClient, build, MSP } from '../../helper.js'
import { BP, connectTenant, createClient, createReport, createVersion, E3, mfa, syncTenant, user } from '../../fixtures.js'

t.test('diff: users added and removed, license changes, MFA status changes', async (t) => {
  const { app } = await build(t)
  const clientId = await createClient(app)
  const tenantId = await connectTenant(app, clientId)
  const ann = user({ displayName: 'Ann', mail: 'ann@contoso.com', licenses: [E3], mfa: mfa('Disabled') })
  const bob = user({ displayName: 'Bob', mail: 'bob@contoso.com', licenses: [E3] })
  const cat = user({ displayName: 'Cat', mail: 'cat@contoso.com' })
  await syncTenant(app, { tenantId, clientId, users: [ann, bob, cat], completedAt: new Date(Date.now() - 10_000) })
  const reportId = await createReport(app, clientId)
  const v1 = await createVersion(app, reportId)

  const dan = user({ displayName: 'Dan', mail: 'dan@contoso.com' })
  await syncTenant(app, {
    tenantId,
    clientId,
    users: [{ ...ann, licenses: [BP], mfa: mfa('Enabled') }, bob, { ...cat, licenses: [E3] }, dan]
  })
  const v2 = await createVersion(app, reportId)

  const res = await app.inject({ url: `/v1/report-versions/${v2.id}/diff?against=${v1.id}`, headers: MSP })
  t.equal(res.statusCode, 200)
  const key = (u: { id: string }) => `o365:${tenantId}:${u.id}`
  const e3 = { skuId: E3.skuId, skuPartNumber: E3.skuPartNumber, productName: E3.productName }
  const bp = { skuId: BP.skuId, skuPartNumber: BP.skuPartNumber, productName: BP.productName }
  t.same(res.json(), {
    versionId: v2.id,
    againstVersionId: v1.id,
    number: 2,
    againstNumber: 1,
    usersAdded: { total: 1, items: [{ rowKey: key(dan), displayName: 'Dan', email: 'dan@contoso.com' }] },
    usersRemoved: { total: 0, items: [] },
    licenseChanges: {
      total: 2,
      items: [
        { rowKey: key(ann), displayName: 'Ann', email: 'ann@contoso.com', added: [bp], removed: [e3] },
        { rowKey: key(cat), displayName: 'Cat', email: 'cat@contoso.com', added: [e3], removed: [] }
      ]
    },
    mfaStatusChanges: { total: 1, items: [{ rowKey: key(ann), displayName: 'Ann', email: 'ann@contoso.com', from: 'Disabled', to: 'Enabled' }] }
  })

  const back = (await app.inject({ url: `/v1/report-versions/${v1.id}/diff?against=${v2.id}`, headers: MSP })).json()
  t.same(back.usersRemoved.items.map((u: { displayName: string }) => u.displayName), ['Dan'], 'the other way round')
  t.same(back.usersAdded.items, [])
})

t.test('diff: same report only, both readable', async (t) => {
  const { app } = await build(t)
  const clientId = await createClient(app)
  await syncTenant(app, { tenantId: await connectTenant(app, clientId), clientId, users: [user()] })
  const a = await createVersion(app, await createReport(app, clientId))
  const b = await createVersion(app, await createReport(app, clientId))
  const other = await app.inject({ url: `/v1/report-versions/${a.id}/diff?against=${b.id}`, headers: MSP })
  t.equal(other.statusCode, 422)
  t.match(other.json(), { code: 'DIFF_OTHER_REPORT', detail: /querystring\/against/ })
  const missing = await app.inject({ url: `/v1/report-versions/${a.id}/diff`, headers: MSP })
  t.equal(missing.statusCode, 400)
  t.match(missing.json().detail, /against/)
  await app.inject({ method: 'POST', url: `/v1/report-versions/${a.id}/share`, headers: MSP })
  const a2 = await createVersion(app, a.reportId)
  t.equal((await app.inject({ url: `/v1/report-versions/${a.id}/diff?against=${a2.id}`, headers: asClient(clientId) })).statusCode, 404,
    'a client principal cannot diff against an unshared version')
})
