import t from 'tap'
import { isDeltaExpired, usersDeltaPages, type GraphClient, type UserDelta } from '@m365/graph'
import { createTenant, simulatorClient, startSimulator } from './helper.js'

const sim = await startSimulator(t, 'none')
const tenantId = createTenant(sim, { displayName: 'Delta Traders', seed: 'delta', userCount: 450 })
const activeUsers = () => sim.admin.listTenants().find((x) => x.tenantId === tenantId)?.activeUsers ?? 0

/** One round, pages handled one by one; returns what it saw and the new deltaLink. */
async function round (client: GraphClient, deltaLink?: string) {
  const seen: UserDelta[] = []
  let pages = 0
  const it = usersDeltaPages(client, deltaLink ? { deltaLink } : {})
  for (let r = await it.next(); ; r = await it.next()) {
    if (r.done) return { seen, pages, deltaLink: r.value }
    seen.push(...r.value)
    pages++
  }
}

t.test('a first round lists every user, a delta round only the changes', async (t) => {
  const client = simulatorClient(t, sim, tenantId)
  const first = await round(client)
  t.equal(new Set(first.seen.map((e) => e.id)).size, activeUsers(), 'everyone, once')
  t.ok(first.pages > 1, 'over several pages')
  t.ok(first.seen.every((e) => e.removed === null))
  t.match(first.deltaLink, /\/v1\.0\/users\/delta\?\$deltatoken=/)
  const sample = first.seen[0]
  t.ok(sample && sample.removed === null && 'assignedLicenses' in sample.user, 'the $select went with the first request')

  const added = sim.admin.addUser(tenantId, { displayName: 'New Starter' })
  const victim = first.seen[1]!.id
  const renamed = first.seen[2]!.id
  sim.admin.deleteUser(tenantId, victim)
  sim.admin.updateUser(tenantId, renamed, { displayName: 'Renamed Person' })

  const second = await round(client, first.deltaLink)
  const byId = new Map(second.seen.map((e) => [e.id, e]))
  t.match(byId.get(added.id), { removed: null, user: { displayName: 'New Starter' } })
  t.match(byId.get(victim), { removed: 'changed' }, 'soft-deleted')
  t.match(byId.get(renamed), { removed: null, user: { displayName: 'Renamed Person' } })
  t.ok(second.seen.length <= 3, 'nothing else')
  t.not(second.deltaLink, first.deltaLink)

  const third = await round(client, second.deltaLink)
  t.equal(third.seen.length, 0, 'no changes, no entries')
})

t.test('an expired delta token (syncStateNotFound) is recognised', async (t) => {
  const client = simulatorClient(t, sim, tenantId)
  const { deltaLink } = await round(client)
  sim.admin.expireDeltaTokens(tenantId, 'syncStateNotFound')
  const err = await round(client, deltaLink).catch((e: unknown) => e)
  t.ok(isDeltaExpired(err))
  t.match(err, { status: 400, code: 'syncStateNotFound' })
})

t.test('a reset sync state (410 resyncRequired) is recognised, with its Location', async (t) => {
  const client = simulatorClient(t, sim, tenantId)
  const { deltaLink } = await round(client)
  sim.admin.expireDeltaTokens(tenantId, 'resyncRequired410')
  const err = await round(client, deltaLink).catch((e: unknown) => e)
  t.ok(isDeltaExpired(err))
  t.match(err, { status: 410, code: 'resyncRequired', location: /\/users\/delta\?/ })
  const fresh = await round(client)
  t.equal(new Set(fresh.seen.map((e) => e.id)).size, activeUsers(), 'a new full round works')
})
