import { Client, GraphError, PageIterator } from '@microsoft/microsoft-graph-client'
import t from 'tap'
import { graphClient, raw, registerAppAndTenant, startSim } from './helper.js'

const SELECT = ['id', 'displayName', 'userPrincipalName', 'mail', 'otherMails', 'proxyAddresses', 'userType', 'accountEnabled', 'assignedLicenses', 'licenseAssignmentStates', 'createdDateTime', 'onPremisesSyncEnabled', 'externalUserState']

t.test('the Graph SDK pages all 5,000 users with $top=999 through opaque nextLinks', async (t) => {
  const h = await startSim(t, { fixture: 'none' })
  const { tenantId, token } = await registerAppAndTenant(h, { displayName: 'Five Thousand', userCount: 5000, mix: { guests: 250, disabled: 100 } })
  const client = graphClient(h, async () => token)
  const ids = new Set<string>()
  let pages = 0
  let guests = 0
  let res = await client.api('/users').select(SELECT).top(999).get()
  for (;;) {
    pages++
    t.ok(res.value.length <= 999)
    for (const u of res.value) {
      ids.add(u.id)
      if (u.userType === 'Guest') guests++
      if (pages === 1 && ids.size === 1) t.same(Object.keys(u).sort(), [...SELECT].sort(), 'exactly the selected properties')
    }
    const next = res['@odata.nextLink']
    if (!next) break
    t.match(next, /\$skiptoken=/)
    res = await client.api(next).get()
  }
  t.equal(ids.size, 5000)
  t.equal(pages, 6)
  t.equal(guests, 250)
  t.equal(h.sim.admin.stats(tenantId).requests['GET /v1.0/users'], 6)
})

t.test('fetchOptions.dispatcher really reaches fetch: without it TLS to the simulator fails', async (t) => {
  const h = await startSim(t)
  const demo = h.sim.admin.demoTenants()[0]!
  const { token } = await registerAppAndTenant(h, { displayName: 'Any', userCount: 1 })
  const untrusting = Client.initWithMiddleware({ authProvider: { getAccessToken: async () => token }, baseUrl: h.sim.url + '/', customHosts: new Set(['127.0.0.1']) })
  await t.rejects(untrusting.api('/organization').get())
  t.equal((await graphClient(h, async () => token).api('/organization').get()).value[0].displayName, 'Any')
  t.ok(demo)
})

t.test('$select: unselected properties are omitted; no $select gives the default set', async (t) => {
  const h = await startSim(t, { fixture: 'none' })
  const { token } = await registerAppAndTenant(h, { displayName: 'Sel', userCount: 5 })
  const plain = await raw(h, '/v1.0/users?$top=2', { token })
  t.same(Object.keys(plain.body.value[0]).sort(), ['businessPhones', 'displayName', 'givenName', 'id', 'jobTitle', 'mail', 'mobilePhone', 'officeLocation', 'preferredLanguage', 'surname', 'userPrincipalName'])
  const two = await raw(h, '/v1.0/users?$select=displayName,accountEnabled', { token })
  t.same(Object.keys(two.body.value[0]).sort(), ['accountEnabled', 'displayName'])
  t.match(two.body['@odata.context'], /\$metadata#users\(displayName,accountEnabled\)$/)
  const unknown = await raw(h, '/v1.0/users?$select=displayName,shoeSize', { token })
  t.equal(unknown.status, 400)
  t.equal(unknown.body.error.message, "Could not find a property named 'shoeSize' on type 'microsoft.graph.user'.")
})

t.test('$top outside 1..999 is rejected like Graph does', async (t) => {
  const h = await startSim(t, { fixture: 'none' })
  const { token } = await registerAppAndTenant(h, { displayName: 'Top', userCount: 5 })
  const client = graphClient(h, async () => token)
  const err = await client.api('/users').top(1000).get().catch((e: unknown) => e) as GraphError
  t.type(err, GraphError)
  t.equal(err.statusCode, 400)
  t.equal(err.code, 'Request_UnsupportedQuery')
  t.equal(err.message, "Invalid page size specified: '1000'. Must be between 1 and 999 inclusive.")
  t.ok(err.requestId)
})

t.test('$filter: guests, disabled accounts, a licence, advanced queries need ConsistencyLevel', async (t) => {
  const h = await startSim(t, { fixture: 'none' })
  const skuId = 'cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46'
  const { token } = await registerAppAndTenant(h, {
    displayName: 'Filters', userCount: 300, mix: { guests: 20, disabled: 7, unlicensed: 30 }, skus: [{ skuPartNumber: 'SPB' }]
  })
  const all = async (path: string, headers: Record<string, string> = {}) => {
    const out: any[] = []
    let next: string | undefined = path
    while (next) {
      const res = await raw(h, next, { token, headers })
      t.equal(res.status, 200, next)
      out.push(...res.body.value)
      next = res.body['@odata.nextLink']
    }
    return out
  }
  t.equal((await all("/v1.0/users?$filter=userType eq 'Guest'&$select=id,userType")).length, 20)
  t.equal((await all('/v1.0/users?$filter=accountEnabled eq false&$select=id')).length, 7)
  const licensed = await all(`/v1.0/users?$filter=assignedLicenses/any(x:x/skuId eq ${skuId})&$select=id,assignedLicenses&$top=999`)
  t.ok(licensed.length >= 300 - 20 - 30 && licensed.length <= 300 - 20)
  t.ok(licensed.every((u) => u.assignedLicenses.some((l: { skuId: string }) => l.skuId === skuId)))

  const ne = await raw(h, "/v1.0/users?$filter=userType ne 'Guest'", { token })
  t.equal(ne.status, 400)
  t.equal(ne.body.error.code, 'Request_UnsupportedQuery')
  const counted = await raw(h, "/v1.0/users?$filter=userType ne 'Guest'&$count=true&$top=999", { token, headers: { ConsistencyLevel: 'eventual' } })
  t.equal(counted.body['@odata.count'], 280)
  const countAll = await raw(h, '/v1.0/users?$count=true&$top=1', { token, headers: { ConsistencyLevel: 'eventual' } })
  t.equal(countAll.body['@odata.count'], 300)
})

t.test('GET /users/{id | userPrincipalName}; PageIterator follows nextLinks', async (t) => {
  const h = await startSim(t, { fixture: 'none' })
  const { token, tenantId } = await registerAppAndTenant(h, { displayName: 'Lookup', userCount: 250 })
  const client = graphClient(h, async () => token)
  const first = (await client.api('/users').top(1).get()).value[0]
  const byId = await client.api(`/users/${first.id}`).select(['id', 'userType']).get()
  t.same(Object.keys(byId).filter((k) => !k.startsWith('@')), ['id', 'userType'])
  const byUpn = await client.api(`/users/${encodeURIComponent(first.userPrincipalName)}`).get()
  t.equal(byUpn.id, first.id)
  const missing = await client.api(`/users/${crypto.randomUUID()}`).get().catch((e: GraphError) => e)
  t.equal((missing as GraphError).code, 'Request_ResourceNotFound')

  const added = h.sim.admin.addUser(tenantId, { displayName: 'Late Joiner', userType: 'Guest', userPrincipalName: 'late_x.example#EXT#@lookup.onmicrosoft.com', mail: 'late@x.example' })
  const guest = await client.api(`/users/${encodeURIComponent(added.userPrincipalName)}`).get()
  t.equal(guest.id, added.id)

  let seen = 0
  const iterator = new PageIterator(client, await client.api('/users').select(['id']).top(100).get(), () => { seen++; return true })
  await iterator.iterate()
  t.equal(seen, 251)
})
