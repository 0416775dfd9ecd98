import t from 'tap'
import { randomUUID } from 'node:crypto'
import { createEvent, TenantDisconnected } from '@m365/contracts'
import { handleTenantEvent } from '../../../src/read-model/tenants.js'
import { asClient, build, MSP } from '../../helper.js'
import { BP, connectTenant, createClient, E3, mfa, syncTenant, user } from '../../fixtures.js'

t.test('GET office365/users: filters, search, cursor pages', async (t) => {
  const { app } = await build(t)
  const clientId = await createClient(app)
  const tenantId = await connectTenant(app, clientId)
  await syncTenant(app, {
    tenantId,
    clientId,
    users: [
      user({ displayName: 'Ann Member', mail: 'ann@contoso.com', licenses: [E3], mfa: mfa('Enabled') }),
      user({ displayName: 'Bob Pending', mail: 'bob@contoso.com', licenses: [BP], mfa: mfa('Disabled') }),
      user({ displayName: 'Cat Disabled', mail: 'cat@contoso.com', accountEnabled: false, mfa: mfa('Disabled') }),
      user({ displayName: 'Dan Deleted', mail: 'dan@contoso.com', deleted: true, deletedAt: new Date().toISOString(), mfa: mfa('Disabled') }),
      user({ displayName: 'Gus Guest', mail: null, userPrincipalName: 'gus_fabrikam.com#EXT#@contoso.onmicrosoft.com', userType: 'Guest', mfa: mfa('Disabled') }),
      user({ displayName: 'Olga Contact', objectType: 'orgContact', userType: null, accountEnabled: null, mfa: mfa('N/A'), otherMails: [], proxyAddresses: ['SMTP:olga@partner.org'] }),
      user({ displayName: 'Uma Unknown', mfa: mfa('Unknown') })
    ]
  })
  const names = async (query: string) => {
    const res = await app.inject({ url: `/v1/clients/${clientId}/office365/users?${query}`, headers: MSP })
    t.equal(res.statusCode, 200, query)
    return res.json().items.map((u: { displayName: string }) => u.displayName)
  }
  t.same(await names(''), ['Ann Member', 'Bob Pending', 'Cat Disabled', 'Dan Deleted', 'Gus Guest', 'Olga Contact', 'Uma Unknown'])
  t.same(await names('mfaStatus=Disabled&objectType=user&userType=Member&accountEnabled=true&deleted=false'), ['Bob Pending'],
    'who has not finished MFA setup, in one query')
  t.same(await names('userType=Guest'), ['Gus Guest'])
  t.same(await names('accountEnabled=false'), ['Cat Disabled'])
  t.same(await names('deleted=true'), ['Dan Deleted'])
  t.same(await names('mfaStatus=N/A'), ['Olga Contact'])
  t.same(await names(`license=${E3.skuId}`), ['Ann Member'])
  t.same(await names('license=spb'), ['Bob Pending'], 'part number, any case')
  t.same(await names('licence=ENTERPRISEPACK'), ['Ann Member'], 'licence is the same filter')
  t.same(await names('license=none&objectType=user&deleted=false'), ['Cat Disabled', 'Gus Guest', 'Uma Unknown'])
  t.same(await names('q=BOB'), ['Bob Pending'], 'name')
  t.same(await names('q=partner.org'), ['Olga Contact'], 'any address')
  t.same(await names('q=fabrikam'), ['Gus Guest'], 'UPN')
  t.same(await names('q=100%25'), [], 'LIKE wildcards are literal')

  const first = (await app.inject({ url: `/v1/clients/${clientId}/office365/users?limit=3`, headers: MSP })).json()
  t.equal(first.items.length, 3)
  const second = (await app.inject({ url: `/v1/clients/${clientId}/office365/users?limit=5&cursor=${first.nextCursor}`, headers: MSP })).json()
  t.same(second.items.map((u: { displayName: string }) => u.displayName), ['Dan Deleted', 'Gus Guest', 'Olga Contact', 'Uma Unknown'])
  t.equal(second.nextCursor, null)
  t.match(first.items[0], { tenantId, mail: 'ann@contoso.com', licenses: [E3], mfa: { status: 'Enabled', methods: ['microsoftAuthenticatorPush'] } })

  for (const bad of ['mfaStatus=Maybe', 'userType=Robot', 'accountEnabled=perhaps', 'limit=100000', 'cursor=garbage']) {
    const res = await app.inject({ url: `/v1/clients/${clientId}/office365/users?${bad}`, headers: MSP })
    t.equal(res.statusCode, 400, bad)
    t.match(res.json().detail, /querystring/)
  }
})

t.test('a disconnected tenant drops out of the current data', async (t) => {
  const { app } = await build(t)
  const clientId = await createClient(app)
  const tenantId = await connectTenant(app, clientId)
  await syncTenant(app, { tenantId, clientId, users: [user({ displayName: 'Ann', licenses: [E3] })] })
  await handleTenantEvent(app.db, createEvent(TenantDisconnected, { clientId, tenantId, disconnectedAt: new Date(Date.now() + 1000).toISOString() }))
  t.same((await app.inject({ url: `/v1/clients/${clientId}/office365/users`, headers: MSP })).json().items, [])
  t.same((await app.inject({ url: `/v1/clients/${clientId}/office365/licenses`, headers: MSP })).json().items, [])
})

t.test('current data: own client only, unknown client 404', async (t) => {
  const { app } = await build(t)
  const a = await createClient(app, 'A')
  const b = await createClient(app, 'B')
  await syncTenant(app, { tenantId: await connectTenant(app, a), clientId: a, users: [user({ displayName: 'Ann' })] })
  t.equal((await app.inject({ url: `/v1/clients/${a}/office365/users`, headers: asClient(a) })).json().items.length, 1)
  for (const path of ['users', 'licenses']) {
    t.equal((await app.inject({ url: `/v1/clients/${a}/office365/${path}`, headers: asClient(b) })).statusCode, 404)
    t.equal((await app.inject({ url: `/v1/clients/${randomUUID()}/office365/${path}`, headers: MSP })).statusCode, 404)
  }
})
