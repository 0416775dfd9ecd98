import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { asClient, build, MSP } from '../../helper.js'
import { BP, connectTenant, createClient, createReport, createTemplate, createVersion, E3, mfa, syncTenant, user } from '../../fixtures.js'

const diffOf = (app: FastifyInstance, to: { id: string }, against: { id: string }, headers = MSP) =>
  app.inject({ url: `/v1/report-versions/${to.id}/diff?against=${against.id}`, headers })

/** Ann's licence and MFA change, Bob leaves, Dan joins: one version before, one after. */
async function seedChanges (app: FastifyInstance, templateId?: string) {
  const clientId = await createClient(app)
  const tenantId = await connectTenant(app, clientId)
  const ann = user({ displayName: 'Ann', mail: 'ann@contoso.com', licenses: [E3], mfa: mfa('Disabled') })
  const bob = user({ displayName: 'Bob', mail: 'bob@contoso.com', licenses: [E3] })
  const dan = user({ displayName: 'Dan', userPrincipalName: 'dan@contoso.onmicrosoft.com' })
  await syncTenant(app, { tenantId, clientId, users: [ann, bob], completedAt: new Date(Date.now() - 10_000) })
  const reportId = await createReport(app, clientId, templateId)
  const v1 = await createVersion(app, reportId)
  await syncTenant(app, { tenantId, clientId, users: [{ ...ann, licenses: [BP], mfa: mfa('Enabled') }, dan] })
  const v2 = await createVersion(app, reportId)
  for (const v of [v1, v2]) await app.inject({ method: 'POST', url: `/v1/report-versions/${v.id}/share`, headers: MSP })
  return { clientId, tenantId, ann, bob, dan, v1, v2 }
}

/** What a diff must never carry when those columns are hidden: addresses, UPNs, licences, ids. */
function hiddenValues (s: Awaited<ReturnType<typeof seedChanges>>) {
  return ['ann@contoso.com', 'bob@contoso.com', 'dan@contoso.onmicrosoft.com', E3.skuId, E3.skuPartNumber, E3.productName, BP.skuId, BP.productName,
    s.tenantId, s.ann.id, s.bob.id, s.dan.id]
}

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
  // the default template hides tenantId and userId: row keys are opaque, one per row, the same in every diff of the report
  const keys = new Map<string, string>()
  for (const list of ['usersAdded', 'licenseChanges', 'mfaStatusChanges'] as const) {
    for (const item of res.json()[list].items as Array<{ rowKey: string, displayName: string }>) {
      t.equal(keys.get(item.displayName) ?? item.rowKey, item.rowKey, `${item.displayName} keeps one key`)
      keys.set(item.displayName, item.rowKey)
    }
  }
  t.notOk(res.body.includes(tenantId), 'no tenant id')
  for (const u of [ann, cat, dan]) t.notOk(res.body.includes(u.id), 'no user id')
  const key = (name: string) => keys.get(name)
  const e3 = { skuId: E3.skuId, skuPartNumber: E3.skuPartNumber, productName: E3.productName }
  const bp = { skuId: BP.skuId, skuPartNumber: BP.skuPartNumber, productName: BP.productName }
  t.same(res.json(), {
    versionId: v2.id,
    againstVersionId: v1.id,
    number: 2,
    againstNumber: 1,
    usersAdded: { total: 1, items: [{ rowKey: key('Dan'), displayName: 'Dan', email: 'dan@contoso.com' }] },
    usersRemoved: { total: 0, items: [] },
    licenseChanges: {
      total: 2,
      items: [
        { rowKey: key('Ann'), displayName: 'Ann', email: 'ann@contoso.com', added: [bp], removed: [e3] },
        { rowKey: key('Cat'), displayName: 'Cat', email: 'cat@contoso.com', added: [e3], removed: [] }
      ]
    },
    mfaStatusChanges: { total: 1, items: [{ rowKey: key('Ann'), displayName: 'Ann', email: 'ann@contoso.com', from: 'Disabled', to: 'Enabled' }] }
  })

  const back = (await app.inject({ url: `/v1/report-versions/${v1.id}/diff?against=${v2.id}`, headers: MSP })).json()
  t.same(back.usersRemoved.items, [{ rowKey: key('Dan'), displayName: 'Dan', email: 'dan@contoso.com' }], 'the other way round, same key')
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

t.test('diff: hidden columns stay hidden, for a client principal and for MSP staff alike', async (t) => {
  const { app } = await build(t)
  const templateId = await createTemplate(app, {
    name: 'Names only',
    office365: {
      mergeMode: 'none',
      columns: [
        { key: 'displayName' }, { key: 'accountEnabled' }, { key: 'licenses', visible: false }, { key: 'mfaStatus', visible: false },
        { key: 'email', visible: false }, { key: 'tenantId', visible: false }, { key: 'userId', visible: false }
      ]
    }
  })
  const s = await seedChanges(app, templateId)
  for (const [who, headers] of [['client', asClient(s.clientId)], ['MSP', MSP]] as const) {
    const res = await diffOf(app, s.v2, s.v1, headers)
    t.equal(res.statusCode, 200, who)
    for (const value of hiddenValues(s)) t.notOk(res.body.includes(value), `${who}: the body does not carry ${value}`)
    const diff = res.json()
    t.notOk('licenseChanges' in diff, `${who}: no licence changes`)
    t.notOk('mfaStatusChanges' in diff, `${who}: no MFA status changes`)
    t.same(diff.usersAdded.items.map((u: object) => Object.keys(u)), [['rowKey', 'displayName']], `${who}: no email`)
    t.match(diff, { usersAdded: { total: 1, items: [{ displayName: 'Dan' }] }, usersRemoved: { total: 1, items: [{ displayName: 'Bob' }] } })
    const back = (await diffOf(app, s.v1, s.v2, headers)).json()
    t.equal(back.usersRemoved.items[0].rowKey, diff.usersAdded.items[0].rowKey, `${who}: a row keeps its opaque key`)
  }
})

t.test('diff: only what both versions show, when the template changed between them', async (t) => {
  const { app } = await build(t)
  const columns = ['displayName', 'email', 'licenses', 'mfaStatus', 'tenantId', 'userId'].map((key) => ({ key }))
  const templateId = await createTemplate(app, { name: 'Everything', office365: { mergeMode: 'none', columns } })
  const s = await seedChanges(app, templateId)
  const shown = (await diffOf(app, s.v2, s.v1)).json()
  t.same(shown.usersAdded.items, [{ rowKey: `o365:${s.tenantId}:${s.dan.id}`, displayName: 'Dan', email: null }],
    'Dan has no mail, and the user principal name column is not in the template')
  t.match(shown, {
    licenseChanges: { total: 1, items: [{ rowKey: `o365:${s.tenantId}:${s.ann.id}`, email: 'ann@contoso.com' }] },
    mfaStatusChanges: { total: 1, items: [{ from: 'Disabled', to: 'Enabled' }] }
  }, 'ids, addresses, licences and MFA when both versions show them')

  const hide = ['email', 'licenses', 'mfaStatus', 'userId']
  const patched = await app.inject({
    method: 'PATCH',
    url: `/v1/templates/${templateId}`,
    headers: MSP,
    payload: { office365: { columns: columns.map(({ key }) => ({ key, visible: !hide.includes(key) })) } }
  })
  t.equal(patched.statusCode, 200)
  const v3 = await createVersion(app, s.v1.reportId)
  for (const [to, against] of [[v3, s.v1], [s.v1, v3]]) {
    const res = await diffOf(app, to, against)
    for (const value of hiddenValues(s)) t.notOk(res.body.includes(value), `v${to.number} against v${against.number}: no ${value}`)
    t.notOk('licenseChanges' in res.json())
    t.notOk('mfaStatusChanges' in res.json())
  }
})
