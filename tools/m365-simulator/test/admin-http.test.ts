import t from 'tap'
import { raw, startSim, tokenFor } from './helper.js'

t.test('the HTTP admin API mirrors SimulatorAdmin', async (t) => {
  const h = await startSim(t)
  const post = (path: string, body: unknown, method = 'POST') => raw(h, `/_admin${path}`, { method, body })
  const clientId = crypto.randomUUID()
  t.same((await post('/apps', { clientId, clientSecret: 'pw', displayName: 'Via HTTP' })).body, { clientId })
  const created = await post('/tenants', { displayName: 'Http Tenant', userCount: 12, mix: { guests: 2 }, consentedClientIds: [clientId] })
  t.equal(created.status, 201)
  const tenantId = created.body.tenantId
  const listed = await raw(h, '/_admin/tenants')
  t.ok(listed.body.some((x: { tenantId: string, activeUsers: number }) => x.tenantId === tenantId && x.activeUsers === 12))
  t.equal((await raw(h, '/_admin/demo')).body.length, 3)

  const user = await post(`/tenants/${tenantId}/users`, { displayName: 'Hilda Http', perUserMfaState: 'enforced' })
  t.equal(user.status, 201)
  const id = user.body.id
  t.equal((await post(`/tenants/${tenantId}/users/${id}`, { jobTitle: 'Tester' }, 'PATCH')).body.jobTitle, 'Tester')
  await post(`/tenants/${tenantId}/users/${id}/registration`, { isMfaRegistered: true, methodsRegistered: ['fido2'] }, 'PUT')
  await post(`/tenants/${tenantId}/users/${id}/perUserMfa`, { state: 'enabled' }, 'PUT')
  const view = await raw(h, `/_admin/tenants/${tenantId}/users/${id}`)
  t.equal(view.body.mfa.registration.isMfaRegistered, true)
  t.equal(view.body.mfa.perUserMfaState, 'enabled')
  t.equal((await post(`/tenants/${tenantId}/users/${id}`, undefined, 'DELETE')).status, 200)
  t.equal((await raw(h, `/_admin/tenants/${tenantId}/users/${id}`)).body.state, 'softDeleted')
  t.equal((await post(`/tenants/${tenantId}/users/${id}/restore`, {})).body.id, id)

  await post(`/tenants/${tenantId}/licenseTier`, { tier: 'free' }, 'PUT')
  const token = await tokenFor(h, tenantId, clientId, 'pw')
  t.equal((await raw(h, '/v1.0/reports/authenticationMethods/userRegistrationDetails', { token })).status, 403)
  await post(`/tenants/${tenantId}/faults`, { faults: { throttle429: { everyNth: 1, retryAfterSeconds: 7 } } }, 'PUT')
  t.equal((await raw(h, '/v1.0/users', { token })).headers.get('retry-after'), '7')
  await post(`/tenants/${tenantId}/faults`, { faults: null }, 'PUT')
  await post(`/tenants/${tenantId}/consents/${clientId}/permissions`, { permissions: ['Organization.Read.All'] }, 'PUT')
  t.equal((await raw(h, '/v1.0/users', { token })).status, 403)
  const stats = await raw(h, `/_admin/tenants/${tenantId}/stats`)
  t.equal(stats.body.tokensIssued, 1)
  t.equal(stats.body.throttled, 1)

  const missing = await post(`/tenants/${crypto.randomUUID()}/users`, { displayName: 'x' })
  t.equal(missing.status, 404)
  t.match(missing.body.error.message, /not found/)
  await post('/reset', {})
  t.equal((await raw(h, '/_admin/tenants')).body.length, 3, 'reset keeps only the fixture')
})

t.test('$batch runs up to 20 inner requests, each with its own status', async (t) => {
  const h = await startSim(t)
  const demo = h.sim.admin.demoTenants()[0]!
  h.sim.admin.setReportThrottle(demo.tenantId, null)
  const token = await tokenFor(h, demo.tenantId, '5e3d1c2b-7a4f-4e8d-9b6c-1f2a3b4c5d6e', 'm365-simulator-demo-secret')
  const ids = [demo.scenarios.assignedNotRegistered.id, demo.scenarios.registeredEnforced.id, crypto.randomUUID()]
  const res = await raw(h, '/beta/$batch', {
    method: 'POST',
    token,
    body: { requests: ids.map((id, i) => ({ id: String(i + 1), method: 'GET', url: `/users/${id}/authentication/requirements` })) }
  })
  t.equal(res.status, 200)
  const byId = new Map(res.body.responses.map((r: { id: string }) => [r.id, r]))
  t.match(byId.get('1'), { status: 200, body: { perUserMfaState: 'enabled' } })
  t.match(byId.get('2'), { status: 200, body: { perUserMfaState: 'enforced' } })
  t.match(byId.get('3'), { status: 404, body: { error: { code: 'Request_ResourceNotFound' } } })
  const tooMany = await raw(h, '/v1.0/$batch', { method: 'POST', token, body: { requests: Array.from({ length: 21 }, (_, i) => ({ id: String(i), method: 'GET', url: '/organization' })) } })
  t.equal(tooMany.status, 400)
})
