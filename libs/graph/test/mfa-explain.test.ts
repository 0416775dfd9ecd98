import t from 'tap'
import { explainMfa, userMfa, type MfaFacts } from '@m365/graph'

const unregistered: MfaFacts = {
  kind: 'user',
  deleted: false,
  userType: 'Member',
  registration: { available: true, record: { isMfaRegistered: false, methodsRegistered: [] } },
  perUserState: 'disabled',
  securityDefaults: 'not_covered',
  conditionalAccess: 'not_covered'
}
const registered: MfaFacts = {
  ...unregistered,
  registration: { available: true, record: { isMfaRegistered: true, methodsRegistered: ['microsoftAuthenticatorPush'] } }
}

t.test('Per-user MFA is enforced, but no method is registered yet.', async (t) => {
  t.equal(explainMfa({ ...unregistered, perUserState: 'enforced' }), 'Per-user MFA is enforced, but no method is registered yet.')
})

t.test('Per-user MFA is enabled, but the user has not registered a method yet.', async (t) => {
  t.equal(explainMfa({ ...unregistered, perUserState: 'enabled' }), 'Per-user MFA is enabled, but the user has not registered a method yet.')
  // a missing record reads the same as an unregistered one
  t.equal(explainMfa({ ...unregistered, perUserState: 'enabled', registration: { available: true, record: null } }),
    'Per-user MFA is enabled, but the user has not registered a method yet.')
})

t.test('Registered, but nothing enforces MFA for this user.', async (t) => {
  t.equal(explainMfa(registered), 'Registered, but nothing enforces MFA for this user.')
})

t.test('Registered, but per-user MFA is off and no policy is known to enforce MFA for this user.', async (t) => {
  t.equal(explainMfa({ ...registered, conditionalAccess: 'unknown' }),
    'Registered, but per-user MFA is off and no policy is known to enforce MFA for this user.')
})

t.test('Covered by security defaults, but no method is registered yet.', async (t) => {
  t.equal(explainMfa({ ...unregistered, securityDefaults: 'covered' }), 'Covered by security defaults, but no method is registered yet.')
})

t.test('A conditional access policy requires MFA, but no method is registered yet.', async (t) => {
  t.equal(explainMfa({ ...unregistered, conditionalAccess: 'covered' }), 'A conditional access policy requires MFA, but no method is registered yet.')
})

t.test('The user is deleted, so MFA counts as Disabled although a method was registered.', async (t) => {
  t.equal(explainMfa({ ...registered, deleted: true }), 'The user is deleted, so MFA counts as Disabled although a method was registered.')
})

t.test('The user is deleted, so MFA counts as Disabled although per-user MFA is enforced.', async (t) => {
  t.equal(explainMfa({ ...unregistered, deleted: true, perUserState: 'enforced' }),
    'The user is deleted, so MFA counts as Disabled although per-user MFA is enforced.')
})

t.test('Guest user: MFA is usually done in their home tenant, but no method is registered in this tenant.', async (t) => {
  t.equal(explainMfa({ ...unregistered, userType: 'Guest', perUserState: 'enabled' }),
    'Guest user: MFA is usually done in their home tenant, but no method is registered in this tenant.')
})

t.test('Unknown: the tenant has no Entra ID P1/P2 licence, so Microsoft does not provide registration data.', async (t) => {
  t.equal(explainMfa({ ...unregistered, registration: { available: false, reason: 'premium_required' } }),
    'Unknown: the tenant has no Entra ID P1/P2 licence, so Microsoft does not provide registration data.')
})

t.test('Unknown: the app has not been granted AuditLog.Read.All, so registration data cannot be read.', async (t) => {
  t.equal(explainMfa({ ...unregistered, registration: { available: false, reason: 'permission_denied' } }),
    'Unknown: the app has not been granted AuditLog.Read.All, so registration data cannot be read.')
})

t.test('no sentence where both views agree', async (t) => {
  t.equal(explainMfa(unregistered), null, 'nothing asks for MFA and nothing is registered')
  t.equal(explainMfa({ ...registered, perUserState: 'enforced' }), null, 'enforced and registered')
  t.equal(explainMfa({ ...registered, securityDefaults: 'covered' }), null, 'registered under security defaults')
  t.equal(explainMfa({ ...registered, conditionalAccess: 'covered' }), null, 'registered under conditional access')
  t.equal(explainMfa({ ...registered, perUserState: 'unknown' }), null, 'portal view not known')
  t.equal(explainMfa({ ...unregistered, kind: 'orgContact' }), null, 'org contact: N/A on both sides')
  t.equal(explainMfa({ ...unregistered, deleted: true }), null, 'deleted, nothing was on')
})

t.test('userMfa builds the whole UserMfa object', async (t) => {
  t.same(userMfa({ ...unregistered, perUserState: 'enforced' }), {
    status: 'Disabled',
    reason: null,
    registered: false,
    methods: [],
    perUserState: 'enforced',
    securityDefaults: 'not_covered',
    conditionalAccess: 'not_covered',
    explanation: 'Per-user MFA is enforced, but no method is registered yet.'
  })
  t.same(userMfa({ ...registered, securityDefaults: 'covered' }), {
    status: 'Enabled',
    reason: null,
    registered: true,
    methods: ['microsoftAuthenticatorPush'],
    perUserState: 'disabled',
    securityDefaults: 'covered',
    conditionalAccess: 'not_covered',
    explanation: null
  })
  const unknown = userMfa({ kind: 'user', deleted: false, registration: { available: false, reason: 'premium_required' } })
  t.equal(unknown.status, 'Unknown')
  t.equal(unknown.registered, null)
  t.equal(unknown.perUserState, 'unknown')
  t.equal(unknown.conditionalAccess, 'unknown')
  t.match(unknown.explanation, /^Unknown: the tenant has no Entra ID P1\/P2 licence/)
  const contact = userMfa({ kind: 'orgContact', deleted: false, registration: { available: true, record: null } })
  t.same([contact.status, contact.registered, contact.securityDefaults, contact.explanation], ['N/A', null, 'not_covered', null])
})
