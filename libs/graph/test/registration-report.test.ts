import t from 'tap'
import { DEMO_APP } from '@m365/m365-simulator'
import {
  isPermissionDenied, isPremiumRequired, RateLimiter, registrationDetailsPages, registrationUnavailableReason
} from '@m365/graph'
import { collect, createTenant, simulatorClient, startSimulator } from './helper.js'

const sim = await startSimulator(t, 'none')
const REPORT = 'GET /v1.0/reports/authenticationMethods/userRegistrationDetails'
const newTenant = (name: string, extra: Partial<Parameters<typeof createTenant>[1]> = {}) =>
  createTenant(sim, { displayName: name, seed: name, userCount: 400, licenseTier: 'p1', mix: { mfaRegistered: 0.6, disabled: 0 }, ...extra })
const activeUsers = (tenantId: string) => sim.admin.listTenants().find((x) => x.tenantId === tenantId)?.activeUsers ?? 0

t.test('free tier: the report answers 403 premium required, recognised as such', async (t) => {
  const tenantId = newTenant('Free Tier Dental')
  sim.admin.setLicenseTier(tenantId, 'free')
  const client = simulatorClient(t, sim, tenantId)
  const err = await collect(registrationDetailsPages(client)).catch((e: unknown) => e)
  t.ok(isPremiumRequired(err))
  t.notOk(isPermissionDenied(err))
  t.match(err, { status: 403, code: 'Authentication_RequestFromNonPremiumTenantOrB2CTenant', requestId: String })
  t.equal(registrationUnavailableReason(err), 'premium_required')
})

t.test('AuditLog.Read.All missing: permission denied, recognised as such', async (t) => {
  const tenantId = newTenant('No Audit Permission Ltd')
  sim.admin.setPermissions(tenantId, DEMO_APP.clientId, ['User.Read.All', 'Organization.Read.All', 'Policy.Read.All', 'OrgContact.Read.All'])
  const client = simulatorClient(t, sim, tenantId)
  const err = await collect(registrationDetailsPages(client)).catch((e: unknown) => e)
  t.ok(isPermissionDenied(err))
  t.notOk(isPremiumRequired(err))
  t.equal(registrationUnavailableReason(err), 'permission_denied')
})

t.test('the report limiter keeps a multi-page walk inside the report throttle: no 429 at all', async (t) => {
  const tenantId = newTenant('Throttled Reports Inc', { reportThrottle: { requests: 3, windowSeconds: 1 } })
  // the simulator's window, with the same safety margin the production default has
  const limiter = new RateLimiter({ limit: 3, intervalMs: 1250 })
  const client = simulatorClient(t, sim, tenantId, { reportLimiter: limiter })
  const { items, pages } = await collect(registrationDetailsPages(client, { top: 40 }))
  t.equal(new Set(items.map((r) => r.id)).size, activeUsers(tenantId), 'every user once')
  t.ok(pages > 6, `${pages} pages: more than two windows' worth`)
  const stats = sim.admin.stats(tenantId)
  t.equal(stats.requests[REPORT], pages, 'one request per page')
  t.equal(stats.statuses[`429 ${REPORT}`], undefined, 'never throttled')
})

t.test('without the limiter the throttle bites, Retry-After is honoured and the walk still completes', async (t) => {
  const tenantId = newTenant('Unlimited Reports Inc', { reportThrottle: { requests: 3, windowSeconds: 1 } })
  const client = simulatorClient(t, sim, tenantId, { reportLimiter: new RateLimiter({ limit: 1000, intervalMs: 1 }) })
  const { items } = await collect(registrationDetailsPages(client, { top: 40 }))
  t.equal(new Set(items.map((r) => r.id)).size, activeUsers(tenantId))
  t.ok((sim.admin.stats(tenantId).statuses[`429 ${REPORT}`] ?? 0) > 0, 'the simulator throttled')
})

t.test('a report walk waiting for its limiter does not hold up the tenant\'s other calls', async (t) => {
  const tenantId = newTenant('Busy Tenant Ltd')
  // one report request per minute, and a single connection slot for the whole tenant
  const client = simulatorClient(t, sim, tenantId, { maxConcurrency: 1, reportLimiter: new RateLimiter({ limit: 1, intervalMs: 60_000 }) })
  const controller = new AbortController()
  const walk = registrationDetailsPages(client, { top: 40, signal: controller.signal })
  const first = await walk.next()
  t.equal(first.done, false)
  const second = walk.next() // waits for the limiter
  const users = await client.get<{ value: unknown[] }>('/users', { select: ['id'], top: 5 })
  t.equal(users.value.length, 5, 'another call went through meanwhile')
  controller.abort()
  const err = await second.catch((e: unknown) => e)
  t.match(err, { name: 'GraphRequestError', status: 0, code: 'aborted' })
  t.equal(sim.admin.stats(tenantId).requests[REPORT], 1, 'the waiting page was never sent')
})
