import t from 'tap'
import { conditionalAccessCoverage, securityDefaultsCoverage, type ConditionalAccessPolicy } from '@m365/graph'

const userId = '3f1c2a9e-7b44-4c1e-9a51-0d6f2b7c8e10'
const otherId = '5d1f0c7e-0f2a-4a4b-9c6e-1b2d3e4f5a6b'
const groupId = '0a6f1c1e-2b3c-4d5e-8f90-123456789abc'
const adminRole = '62e90394-69f5-4237-9190-012177145e10' // Global Administrator template id

const policy = (over: Partial<ConditionalAccessPolicy> = {}): ConditionalAccessPolicy => ({
  id: 'p1',
  displayName: 'Require MFA for all users',
  state: 'enabled',
  includeApplications: ['All'],
  includeUsers: ['All'],
  excludeUsers: [],
  includeGroups: [],
  excludeGroups: [],
  includeRoles: [],
  excludeRoles: [],
  builtInControls: ['mfa'],
  authenticationStrengthId: null,
  ...over
})
const member = { id: userId, userType: 'Member' as const }

t.test('an enabled all-users, all-apps MFA policy covers the user', async (t) => {
  t.equal(conditionalAccessCoverage([policy()], member), 'covered')
})

t.test('an authentication strength counts as requiring MFA', async (t) => {
  t.equal(conditionalAccessCoverage([policy({ builtInControls: [], authenticationStrengthId: '00000000-0000-0000-0000-000000000002' })], member), 'covered')
})

t.test('report-only, disabled, non-MFA and single-app policies do not cover', async (t) => {
  t.equal(conditionalAccessCoverage([policy({ state: 'enabledForReportingButNotEnforced' })], member), 'not_covered')
  t.equal(conditionalAccessCoverage([policy({ state: 'disabled' })], member), 'not_covered')
  t.equal(conditionalAccessCoverage([policy({ builtInControls: ['compliantDevice'] })], member), 'not_covered')
  t.equal(conditionalAccessCoverage([policy({ includeApplications: ['00000003-0000-0ff1-ce00-000000000000'] })], member), 'not_covered')
  t.equal(conditionalAccessCoverage([], member), 'not_covered')
})

t.test('a direct include covers, a direct exclusion wins', async (t) => {
  t.equal(conditionalAccessCoverage([policy({ includeUsers: [userId] })], member), 'covered')
  t.equal(conditionalAccessCoverage([policy({ includeUsers: [otherId] })], member), 'not_covered')
  t.equal(conditionalAccessCoverage([policy({ excludeUsers: [userId] })], member), 'not_covered')
  t.equal(conditionalAccessCoverage([policy({ excludeUsers: [userId] }), policy({ id: 'p2', includeUsers: [userId] })], member), 'covered',
    'another policy still covers')
})

t.test('guests are matched by GuestsOrExternalUsers', async (t) => {
  const guest = { id: userId, userType: 'Guest' as const }
  t.equal(conditionalAccessCoverage([policy({ includeUsers: ['GuestsOrExternalUsers'] })], guest), 'covered')
  t.equal(conditionalAccessCoverage([policy({ includeUsers: ['GuestsOrExternalUsers'] })], member), 'not_covered')
  t.equal(conditionalAccessCoverage([policy({ excludeUsers: ['GuestsOrExternalUsers'] })], guest), 'not_covered')
})

t.test('roles: by role id, and ruled out for non-admins when roles were not read', async (t) => {
  const roles = policy({ includeUsers: [], includeRoles: [adminRole] })
  t.equal(conditionalAccessCoverage([roles], { ...member, roleIds: [adminRole] }), 'covered')
  t.equal(conditionalAccessCoverage([roles], { ...member, roleIds: [] }), 'not_covered')
  t.equal(conditionalAccessCoverage([roles], { ...member, isAdmin: false }), 'not_covered')
  t.equal(conditionalAccessCoverage([roles], { ...member, isAdmin: true }), 'unknown')
  t.equal(conditionalAccessCoverage([policy({ excludeRoles: [adminRole] })], { ...member, roleIds: [adminRole] }), 'not_covered')
})

t.test('groups count only when membership is known, otherwise unknown', async (t) => {
  const groups = policy({ includeUsers: [], includeGroups: [groupId] })
  t.equal(conditionalAccessCoverage([groups], member), 'unknown')
  t.equal(conditionalAccessCoverage([groups], { ...member, groupIds: [groupId] }), 'covered')
  t.equal(conditionalAccessCoverage([groups], { ...member, groupIds: [] }), 'not_covered')
  t.equal(conditionalAccessCoverage([policy({ excludeGroups: [groupId] })], member), 'unknown', 'an unknown exclusion')
  t.equal(conditionalAccessCoverage([policy({ excludeGroups: [groupId] })], { ...member, groupIds: [groupId] }), 'not_covered')
  t.equal(conditionalAccessCoverage([groups, policy({ id: 'p2' })], member), 'covered', 'a certain policy beats an unknown one')
})

t.test('policies that could not be read give unknown', async (t) => {
  t.equal(conditionalAccessCoverage(null, member), 'unknown')
})

t.test('security defaults cover enabled members', async (t) => {
  t.equal(securityDefaultsCoverage(true, { userType: 'Member', accountEnabled: true }), 'covered')
  t.equal(securityDefaultsCoverage(true, { userType: 'Member', accountEnabled: false }), 'not_covered')
  t.equal(securityDefaultsCoverage(false, { userType: 'Member', accountEnabled: true }), 'not_covered')
  t.equal(securityDefaultsCoverage(true, { userType: 'Guest', accountEnabled: true }), 'unknown')
  t.equal(securityDefaultsCoverage(null, { userType: 'Member', accountEnabled: true }), 'unknown')
})
