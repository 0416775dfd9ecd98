import { GraphError } from '@microsoft/microsoft-graph-client'
import t from 'tap'
import { graphClient, raw, registerAppAndTenant, startSim, tokenFor, type Harness } from './helper.js'

/** Follows nextLinks to the end of a round; returns its items and the deltaLink. */
async function round (h: Harness, token: string, url: string, headers: Record<string, string> = {}) {
  const items: any[] = []
  let pages = 0
  let next: string | undefined = url
  for (;;) {
    const res = await raw(h, next, { token, headers })
    if (res.status !== 200) return { status: res.status, body: res.body, headers: res.headers, items, pages, deltaLink: undefined as string | undefined }
    pages++
    items.push(...res.body.value)
    if (res.body['@odata.deltaLink']) return { status: 200, body: res.body, headers: res.headers, items, pages, deltaLink: res.body['@odata.deltaLink'] as string }
    next = res.body['@odata.nextLink']
    if (!next) throw new Error('a delta page without deltaLink must have a nextLink')
  }
}

t.test('delta round trip: initial round, then only the changes (added, changed, soft- and hard-deleted, restored)', async (t) => {
  const h = await startSim(t, { fixture: 'none' })
  const { tenantId, token } = await registerAppAndTenant(h, { displayName: 'Delta Co', userCount: 450 })
  const admin = h.sim.admin
  const first = await round(h, token, '/v1.0/users/delta?$select=displayName,accountEnabled,assignedLicenses')
  t.equal(first.items.length, 450)
  t.equal(first.pages, 3, 'default page size 200')
  t.match(first.deltaLink, /\/v1\.0\/users\/delta\?\$deltatoken=/)
  t.same(Object.keys(first.items[0]).sort(), ['accountEnabled', 'assignedLicenses', 'displayName', 'id'])

  const quiet = await round(h, token, first.deltaLink!)
  t.same(quiet.items, [], 'nothing changed, nothing returned')

  const a = (first.items as Array<{ id: string, accountEnabled: boolean }>).find((u) => u.accountEnabled)!
  const [b, c, d] = first.items.filter((u) => u.id !== a.id) as Array<{ id: string }>
  const added = admin.addUser(tenantId, { displayName: 'Nina New', userPrincipalName: 'nina.new@deltaco.onmicrosoft.com' })
  admin.updateUser(tenantId, a.id, { accountEnabled: false })
  admin.updateUser(tenantId, b!.id, { jobTitle: 'Not tracked' }) // unselected: must not surface
  admin.deleteUser(tenantId, c!.id)
  admin.deleteUser(tenantId, d!.id)
  admin.hardDeleteUser(tenantId, d!.id)

  const second = await round(h, token, quiet.deltaLink!)
  const byId = new Map(second.items.map((i) => [i.id, i]))
  t.equal(byId.get(added.id)?.displayName, 'Nina New')
  t.equal(byId.get(a.id)?.accountEnabled, false)
  t.notOk(byId.has(b!.id), 'a change to an unselected property does not surface the user')
  t.same(byId.get(c!.id), { id: c!.id, '@removed': { reason: 'changed' } })
  t.same(byId.get(d!.id), { id: d!.id, '@removed': { reason: 'deleted' } })

  admin.restoreUser(tenantId, c!.id)
  const third = await round(h, token, second.deltaLink!)
  t.same(third.items.map((i) => i.id), [c!.id])
  t.notOk('@removed' in third.items[0], 'a restored user comes back as a normal entry')

  const listed = await raw(h, '/v1.0/users?$top=999&$select=id', { token })
  t.equal(listed.body.value.length, 450 + 1 - 1, 'paging sees the overlay too (added + restored − purged)')
})

t.test('Prefer: return=minimal sends only changed properties; odata.maxpagesize sets the page size', async (t) => {
  const h = await startSim(t, { fixture: 'none' })
  const { tenantId, token } = await registerAppAndTenant(h, { displayName: 'Minimal', userCount: 30 })
  const first = await round(h, token, '/v1.0/users/delta?$select=displayName,accountEnabled,jobTitle', { Prefer: 'odata.maxpagesize=10' })
  t.equal(first.pages, 3)
  const target = first.items.find((u) => u.accountEnabled)
  h.sim.admin.updateUser(tenantId, target.id, { accountEnabled: false })
  const second = await round(h, token, first.deltaLink!, { Prefer: 'return=minimal' })
  t.same(second.items, [{ id: target.id, accountEnabled: false }])
})

t.test('$deltatoken=latest returns only a deltaLink; $top is not supported on delta', async (t) => {
  const h = await startSim(t, { fixture: 'none' })
  const { tenantId, token } = await registerAppAndTenant(h, { displayName: 'Latest', userCount: 30 })
  const latest = await raw(h, '/v1.0/users/delta?$deltatoken=latest', { token })
  t.same(latest.body.value, [])
  t.ok(latest.body['@odata.deltaLink'])
  h.sim.admin.addUser(tenantId, { displayName: 'After Latest' })
  const next = await round(h, token, latest.body['@odata.deltaLink'])
  t.same(next.items.map((u) => u.displayName), ['After Latest'])
  const top = await raw(h, '/v1.0/users/delta?$top=5', { token })
  t.equal(top.status, 400)
})

t.test('expired delta tokens: syncStateNotFound (400) and resync 410 Gone with Location', async (t) => {
  const h = await startSim(t, { fixture: 'none' })
  const { tenantId, token, app } = await registerAppAndTenant(h, { displayName: 'Expiry', userCount: 20 })
  const client = graphClient(h, async () => token)
  const first = await round(h, token, '/v1.0/users/delta?$select=displayName')

  h.sim.admin.expireDeltaTokens(tenantId, 'syncStateNotFound')
  const err = await client.api(first.deltaLink!).get().catch((e: unknown) => e) as GraphError
  t.type(err, GraphError)
  t.equal(err.statusCode, 400)
  t.equal(err.code, 'syncStateNotFound')

  const fresh = await round(h, token, '/v1.0/users/delta?$select=displayName')
  t.equal(fresh.items.length, 20, 'a new initial round works')
  h.sim.admin.expireDeltaTokens(tenantId, 'resyncRequired410')
  const gone = await raw(h, fresh.deltaLink!, { token })
  t.equal(gone.status, 410)
  t.equal(gone.body.error.code, 'resyncRequired')
  const location = gone.headers.get('location')!
  t.match(location, /\/v1\.0\/users\/delta\?\$select=displayName&\$deltatoken=$/)
  const restart = await round(h, token, location)
  t.equal(restart.items.length, 20, 'the Location starts a full round')

  h.sim.admin.advanceClock(8 * 86400) // delta tokens live 7 days (the access token expires too)
  const later = await tokenFor(h, tenantId, app.clientId, app.clientSecret)
  const old = await raw(h, restart.deltaLink!, { token: later })
  t.equal(old.status, 400)
  t.equal(old.body.error.code, 'syncStateNotFound')
})
