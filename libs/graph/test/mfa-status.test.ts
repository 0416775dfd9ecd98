import t from 'tap'
import { mfaStatus, type MfaStatusInput } from '@m365/graph'

const user = (over: Partial<MfaStatusInput> = {}): MfaStatusInput => ({
  kind: 'user',
  deleted: false,
  registration: { available: true, record: { isMfaRegistered: false } },
  ...over
})

// One test per row of the DESIGN.md truth table (spec §10), named after the row.
t.test('MFA assigned, user hasn\'t registered: portal Enabled, we show Disabled', async (t) => {
  // per-user "enabled", or security defaults / CA target the user: none of it is an input to the rule
  t.equal(mfaStatus(user()).status, 'Disabled')
})

t.test('MFA enforced, user hasn\'t completed setup: portal Enforced, we show Disabled', async (t) => {
  const result = mfaStatus(user({ registration: { available: true, record: { isMfaRegistered: false, methodsRegistered: ['email'] } } }))
  t.same(result, { status: 'Disabled', reason: null })
})

t.test('user completed MFA registration: portal Enabled or Enforced, we show Enabled', async (t) => {
  t.same(mfaStatus(user({ registration: { available: true, record: { isMfaRegistered: true } } })), { status: 'Enabled', reason: null })
})

t.test('org contact (not a user account): portal N/A, we show N/A', async (t) => {
  const result = mfaStatus(user({ kind: 'orgContact', registration: { available: false, reason: 'premium_required' } }))
  t.equal(result.status, 'N/A')
  t.match(result.reason, /not a user account/)
})

t.test('deleted user: portal varies, we show Disabled', async (t) => {
  t.equal(mfaStatus(user({ deleted: true, registration: { available: true, record: { isMfaRegistered: true } } })).status, 'Disabled')
  // deleted wins over an unavailable report too: there is nothing to be unknown about
  t.equal(mfaStatus(user({ deleted: true, registration: { available: false, reason: 'premium_required' } })).status, 'Disabled')
})

t.test('guest user, MFA not registered: portal Enabled or N/A, we show Disabled', async (t) => {
  t.equal(mfaStatus(user({ registration: { available: true, record: { isMfaRegistered: false } } })).status, 'Disabled')
  t.equal(mfaStatus(user({ registration: { available: true, record: null } })).status, 'Disabled')
})

t.test('a missing record for one user (new or disabled account) is Disabled with the reason', async (t) => {
  const result = mfaStatus(user({ registration: { available: true, record: null } }))
  t.equal(result.status, 'Disabled')
  t.match(result.reason, /no record/)
})

t.test('registration report unavailable (403, no P1/P2) is Unknown with that reason, never Disabled', async (t) => {
  const result = mfaStatus(user({ registration: { available: false, reason: 'premium_required' } }))
  t.equal(result.status, 'Unknown')
  t.match(result.reason, /no Entra ID P1\/P2 licence/)
})

t.test('registration report unavailable (permission missing) is Unknown with that reason', async (t) => {
  const result = mfaStatus(user({ registration: { available: false, reason: 'permission_denied' } }))
  t.equal(result.status, 'Unknown')
  t.match(result.reason, /AuditLog\.Read\.All/)
})
