import t from 'tap'
import { currentSnapshot, setup, waitForRun } from '../helper.js'

t.test('the demo tenants: each truth-table row gets the status the fixture expects', async (t) => {
  const h = await setup(t)
  await h.build()
  for (const demo of h.sim.admin.demoTenants()) {
    const { syncId } = await h.connect(demo.tenantId)
    const run = await waitForRun(h.sql, syncId)
    t.equal(run.outcome, 'completed', `${demo.displayName}: ${String(run.error)}`)
    const snapshot = await currentSnapshot(h.sql, demo.tenantId)
    t.equal(snapshot.syncId, syncId)
    for (const scenario of Object.values(demo.scenarios)) {
      const row = snapshot.rows.find((r) => r.objectId === scenario.id)
      t.ok(row, `${demo.displayName} has ${scenario.scenario}`)
      t.equal(row?.record.mfa.status, scenario.expectedMfaStatus, `${demo.displayName} ${scenario.scenario}`)
    }
  }
})
