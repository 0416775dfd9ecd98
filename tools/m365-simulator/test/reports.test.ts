import { GraphError } from '@microsoft/microsoft-graph-client'
import t from 'tap'
import { graphClient, raw, registerAppAndTenant, startSim } from './helper.js'

const REPORT = '/v1.0/reports/authenticationMethods/userRegistrationDetails'

t.test('free tier: the registration report answers the real 403; P1 makes it available', async (t) => {
  const h = await startSim(t, { fixture: 'none' })
  const { tenantId, token } = await registerAppAndTenant(h, { displayName: 'Basic Co', userCount: 10, licenseTier: 'free', reportThrottle: null })
  const err = await graphClient(h, async () => token).api(REPORT.replace('/v1.0', '')).get().catch((e: unknown) => e) as GraphError
  t.type(err, GraphError)
  t.equal(err.statusCode, 403)
  t.equal(err.code, 'Authentication_RequestFromNonPremiumTenantOrB2CTenant')
  t.equal(err.message, "Neither tenant is B2C or tenant doesn't have premium license")
  const signIn = await raw(h, '/v1.0/users?$select=id,signInActivity', { token })
  t.equal(signIn.body.error.code, 'Authentication_RequestFromNonPremiumTenantOrB2CTenant', 'signInActivity needs P1 too')
  h.sim.admin.setLicenseTier(tenantId, 'p1')
  t.equal((await raw(h, REPORT, { token })).status, 200)
})

t.test('records: joined on user id, lower-case userType, none for disabled accounts; admin changes show up', async (t) => {
  const h = await startSim(t, { fixture: 'none' })
  const { tenantId, token } = await registerAppAndTenant(h, {
    displayName: 'Records', userCount: 100, mix: { disabled: 10, guests: 5, mfaRegistered: 60 }, reportThrottle: null
  })
  const report = await raw(h, `${REPORT}?$top=999`, { token })
  const users = await raw(h, '/v1.0/users?$top=999&$select=id,accountEnabled,userType', { token })
  const rows = new Map<string, any>(report.body.value.map((r: { id: string }) => [r.id, r]))
  t.equal(rows.size, 90, 'disabled accounts have no record')
  for (const u of users.body.value) {
    if (!u.accountEnabled) t.notOk(rows.has(u.id))
    else t.equal(rows.get(u.id).userType, u.userType.toLowerCase())
  }
  const registered = await raw(h, `${REPORT}?$filter=isMfaRegistered eq true&$top=999`, { token })
  t.ok(registered.body.value.every((r: { isMfaRegistered: boolean }) => r.isMfaRegistered))
  const byMethod = await raw(h, `${REPORT}?$filter=methodsRegistered/any(m:m eq 'mobilePhone')&$top=999`, { token })
  t.ok(byMethod.body.value.every((r: { methodsRegistered: string[] }) => r.methodsRegistered.includes('mobilePhone')))

  const target = report.body.value.find((r: { isMfaRegistered: boolean }) => !r.isMfaRegistered)
  h.sim.admin.setRegistration(tenantId, target.id, { isMfaRegistered: true, methodsRegistered: ['fido2'] })
  const one = await raw(h, `${REPORT}/${target.id}`, { token })
  t.equal(one.body.isMfaRegistered, true)
  t.same(one.body.methodsRegistered, ['fido2'])
  h.sim.admin.setRegistration(tenantId, target.id, null)
  t.equal((await raw(h, `${REPORT}/${target.id}`, { token })).status, 404)

  const beta = await raw(h, '/beta/reports/authenticationMethods/userRegistrationDetails?$top=1', { token })
  t.ok('defaultMfaMethod' in beta.body.value[0], 'beta adds defaultMfaMethod')
})

t.test('per-user MFA state (beta), security defaults and Conditional Access', async (t) => {
  const h = await startSim(t, { fixture: 'none' })
  const { tenantId, token } = await registerAppAndTenant(h, { displayName: 'Policies', userCount: 20, mix: { perUserEnforced: 20 } })
  const user = (await raw(h, '/v1.0/users?$top=1', { token })).body.value[0]
  const req = async () => (await raw(h, `/beta/users/${user.id}/authentication/requirements`, { token })).body.perUserMfaState
  t.equal(await req(), 'enforced')
  h.sim.admin.setPerUserMfa(tenantId, user.id, 'disabled')
  t.equal(await req(), 'disabled')
  t.equal((await raw(h, `/v1.0/users/${user.id}/authentication/requirements`, { token })).status, 400, 'beta only')

  const sd = await raw(h, '/v1.0/policies/identitySecurityDefaultsEnforcementPolicy', { token })
  t.equal(sd.body.isEnabled, true)
  t.equal(sd.body.id, '00000000-0000-0000-0000-000000000005')
  h.sim.admin.setSecurityDefaults(tenantId, false)
  h.sim.admin.setConditionalAccess(tenantId, 'requireMfaForAll')
  t.equal((await raw(h, '/v1.0/policies/identitySecurityDefaultsEnforcementPolicy', { token })).body.isEnabled, false)
  const ca = await raw(h, '/v1.0/identity/conditionalAccess/policies', { token })
  t.equal(ca.body.value[0].state, 'enabled')
  t.same(ca.body.value[0].grantControls.builtInControls, ['mfa'])
})

t.test('SKUs: consumed units follow licence changes; deleted users and contacts', async (t) => {
  const h = await startSim(t, { fixture: 'none' })
  const { tenantId, token } = await registerAppAndTenant(h, {
    displayName: 'Licences',
    userCount: 50,
    mix: { guests: 0, unlicensed: 0, deleted: 4, orgContacts: 3 },
    skus: [{ skuPartNumber: 'SPB', enabled: 60 }, { skuPartNumber: 'CUSTOM_THING', addOnShare: 0, enabled: 5 }]
  })
  const skus = async () => new Map((await raw(h, '/v1.0/subscribedSkus', { token })).body.value.map((s: any) => [s.skuPartNumber, s]))
  const before = await skus() as Map<string, any>
  t.equal(before.get('SPB').consumedUnits, 50)
  t.same(before.get('SPB').prepaidUnits, { enabled: 60, suspended: 0, warning: 0, lockedOut: 0 })
  t.equal(before.get('SPB').id, `${tenantId}_cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46`)
  const custom = before.get('CUSTOM_THING')
  const user = (await raw(h, '/v1.0/users?$top=1', { token })).body.value[0]
  h.sim.admin.assignLicense(tenantId, user.id, { addLicenses: [custom.skuId] })
  const other = (await raw(h, '/v1.0/users?$top=2', { token })).body.value[1]
  h.sim.admin.deleteUser(tenantId, other.id)
  const after = await skus() as Map<string, any>
  t.equal(after.get('CUSTOM_THING').consumedUnits, 1)
  t.equal(after.get('SPB').consumedUnits, 49, 'a deleted user frees its licence')

  const deleted = await raw(h, '/v1.0/directory/deletedItems/microsoft.graph.user?$select=id,displayName,userPrincipalName,deletedDateTime,userType', { token })
  t.equal(deleted.body.value.length, 5)
  t.ok(deleted.body.value.some((u: { id: string }) => u.id === other.id))
  t.ok(deleted.body.value.every((u: { deletedDateTime: string }) => u.deletedDateTime))
  t.equal((await raw(h, '/v1.0/directory/deletedItems', { token })).status, 400, 'the type cast is mandatory')
  const contacts = await raw(h, '/v1.0/contacts', { token })
  t.equal(contacts.body.value.length, 3)
  t.ok(contacts.body.value[0].mail)
  const org = await raw(h, '/v1.0/organization', { token })
  t.equal(org.body.value[0].id, tenantId)
})

t.test('users in the recycle bin stay listed when their MFA data changes; restore and purge move them', async (t) => {
  const h = await startSim(t, { fixture: 'none' })
  const { tenantId, token } = await registerAppAndTenant(h, { displayName: 'Bin', userCount: 5, mix: { deleted: 3 } })
  const bin = async () => (await raw(h, '/v1.0/directory/deletedItems/microsoft.graph.user?$select=id', { token })).body.value.map((u: { id: string }) => u.id)
  const [first, second, third] = await bin()
  h.sim.admin.setPerUserMfa(tenantId, first, 'enforced')
  t.same(await bin(), [first, second, third])
  h.sim.admin.restoreUser(tenantId, second)
  h.sim.admin.hardDeleteUser(tenantId, third)
  t.same(await bin(), [first])
  const users = (await raw(h, '/v1.0/users?$select=id', { token })).body.value.map((u: { id: string }) => u.id)
  t.equal(users.length, 6)
  t.ok(users.includes(second), 'restored from the bin into the user list')
})
