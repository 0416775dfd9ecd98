import { Writable } from 'node:stream'
import t from 'tap'
import { DEFAULT_APP_PERMISSIONS, DEMO_APP } from '@m365/m365-simulator'
import { createTenant, currentSnapshot, requestSync, setup, waitForRun } from '../helper.js'

const without = (...missing: string[]) => DEFAULT_APP_PERMISSIONS.filter((p) => !missing.includes(p))

/** Log lines as they are written, for checking that no token reaches them. */
class Capture extends Writable {
  text = ''
  override _write (chunk: Buffer, _encoding: string, callback: () => void) { this.text += chunk.toString(); callback() }
}

t.test('missing permissions', async (t) => {
  const h = await setup(t, { fixture: 'none' })
  const logs = new Capture()
  const app = await h.build({ LOG_LEVEL: 'debug' }, { logs })
  const mix = { guests: 1, deleted: 1, orgContacts: 2, mfaRegistered: 3 }
  const perUserMix = { ...mix, perUserEnabled: 3, perUserEnforced: 2 }

  t.test('without Policy.Read.All: per-user MFA, security defaults and CA are unknown with the reason; the sync completes', async (t) => {
    const tenantId = createTenant(h.sim, { displayName: 'No Policy Read', userCount: 8, mix, grantedPermissions: without('Policy.Read.All') })
    const { syncId } = await h.connect(tenantId)
    const run = await waitForRun(h.sql, syncId)
    t.equal(run.outcome, 'completed', String(run.error))
    const warnings = run.warnings as Array<{ field: string, reason: string }>
    t.same(warnings.map((w) => w.field).sort(), ['conditionalAccess', 'perUserMfa', 'securityDefaults'])
    t.ok(warnings.every((w) => /Policy\.Read\.All/.test(w.reason)), 'each names the missing permission')
    const users = (await currentSnapshot(h.sql, tenantId)).rows.filter((r) => r.kind === 'user')
    t.ok(users.length > 0)
    for (const { record } of users) {
      t.match(record.mfa, { perUserState: 'unknown', securityDefaults: 'unknown', conditionalAccess: 'unknown' })
      t.ok(['Enabled', 'Disabled'].includes(record.mfa.status), 'the status still comes from registration')
    }
  })

  t.test('without AuditLog.Read.All: Unknown with the reason for every user account', async (t) => {
    const tenantId = createTenant(h.sim, { displayName: 'No Audit Log', userCount: 6, mix, grantedPermissions: without('AuditLog.Read.All') })
    const { syncId } = await h.connect(tenantId)
    const run = await waitForRun(h.sql, syncId)
    t.equal(run.outcome, 'completed', String(run.error))
    t.equal(run.mfa_source, 'unavailable')
    for (const { kind, record } of (await currentSnapshot(h.sql, tenantId)).rows) {
      if (kind !== 'user') continue
      t.equal(record.mfa.status, 'Unknown')
      t.match(record.mfa.reason, /AuditLog\.Read\.All/)
    }
  })

  t.test('OrgContact.Read.All withdrawn after a sync: the contacts stay, with a warning', async (t) => {
    const tenantId = createTenant(h.sim, { displayName: 'Contacts Withdrawn', userCount: 4, mix })
    const first = await h.connect(tenantId)
    await waitForRun(h.sql, first.syncId)
    const before = (await currentSnapshot(h.sql, tenantId)).rows.filter((r) => r.kind === 'orgContact')
    t.equal(before.length, 2)
    h.sim.admin.setPermissions(tenantId, DEMO_APP.clientId, without('OrgContact.Read.All'))
    const second = await h.connect(tenantId, first.clientId)
    const run = await waitForRun(h.sql, second.syncId)
    t.equal(run.outcome, 'completed', String(run.error))
    t.match(run.warnings, [{ field: 'orgContacts', reason: /OrgContact\.Read\.All.*kept/ }])
    const after = (await currentSnapshot(h.sql, tenantId)).rows.filter((r) => r.kind === 'orgContact')
    t.same(after.map((r) => r.record), before.map((r) => r.record))
  })

  t.test('without User.Read.All the sync fails for good: a person has to grant it, and the next sync has it', async (t) => {
    const tenantId = createTenant(h.sim, { displayName: 'No Users', userCount: 4, grantedPermissions: without('User.Read.All') })
    const { clientId, syncId } = await h.connect(tenantId)
    const run = await waitForRun(h.sql, syncId)
    t.equal(run.outcome, 'failed')
    t.equal(run.attempts, 1)
    t.match(run.error, /403.*Authorization_RequestDenied/)

    // The cached token carries the roles it was issued with: only a fresh one carries the new grant.
    h.sim.admin.setPermissions(tenantId, DEMO_APP.clientId, [...DEFAULT_APP_PERMISSIONS])
    const next = await waitForRun(h.sql, await requestSync(app, clientId, tenantId))
    t.equal(next.outcome, 'completed', String(next.error))
    t.same(h.tokens.forced, [tenantId], 'the token after the refusal was asked for with forceRefresh')
  })

  t.test('Policy.Read.All granted after a full sync without it: the next sync, a delta with no change, reads every user in full', async (t) => {
    const tenantId = createTenant(h.sim, { displayName: 'Policy Granted', userCount: 8, mix: perUserMix, grantedPermissions: without('Policy.Read.All') })
    const { clientId, syncId } = await h.connect(tenantId)
    t.equal((await waitForRun(h.sql, syncId)).outcome, 'completed')
    h.sim.admin.setPermissions(tenantId, DEMO_APP.clientId, [...DEFAULT_APP_PERMISSIONS])
    // A token carries the roles it was issued with; a sync asked for by hand gets a fresh one, so it sees the grant.
    const run = await waitForRun(h.sql, await requestSync(app, clientId, tenantId))
    t.equal(run.outcome, 'completed', String(run.error))
    t.equal(run.mode, 'full', 'the delta turned into a full sync')
    t.match(run.warnings, [{ field: 'delta', reason: /per-user MFA state can be read now.*ran in full/ }], 'saying why, and no perUserMfa warning')
    const users = (await currentSnapshot(h.sql, tenantId)).rows.filter((r) => r.kind === 'user')
    t.ok(users.length > 0)
    const wrong = users.filter((r) => r.record.mfa.perUserState !== h.sim.admin.getUser(tenantId, r.objectId)?.mfa.perUserMfaState)
    t.same(wrong.map((r) => r.objectId), [], "every user's real per-user state")
  })

  t.test('still without Policy.Read.All, a delta with no change keeps the warning and applies in place', async (t) => {
    const tenantId = createTenant(h.sim, { displayName: 'Policy Still Missing', userCount: 8, mix: perUserMix, grantedPermissions: without('Policy.Read.All') })
    const { clientId, syncId } = await h.connect(tenantId)
    const first = await waitForRun(h.sql, syncId)
    t.equal(first.outcome, 'completed')

    const run = await waitForRun(h.sql, await requestSync(app, clientId, tenantId))
    t.equal(run.outcome, 'completed', String(run.error))
    t.equal(run.mode, 'delta')
    t.match((run.warnings as Array<{ field: string }>).find((w) => w.field === 'perUserMfa'), { reason: /Policy\.Read\.All/ }, 'still the warning')
    t.same(run.record_inputs, first.record_inputs, 'the same record inputs as the snapshot')
    const [tenant] = await h.sql`select current_sync_id::text as current, snapshot_id::text as snapshot from graph_sync.tenants where tenant_id = ${tenantId}`
    t.same(tenant, { current: run.sync_id, snapshot: syncId }, 'applied in place, not rebuilt')
    const users = (await currentSnapshot(h.sql, tenantId)).rows.filter((r) => r.kind === 'user')
    t.ok(users.length > 0 && users.every((r) => r.record.mfa.perUserState === 'unknown'))
  })

  t.test('no access token reaches the logs', async (t) => {
    t.ok(h.tokens.issued.length > 0)
    t.ok(logs.text.length > 0, 'the app logged')
    for (const token of h.tokens.issued) t.notOk(logs.text.includes(token), 'token not logged')
  })
})
