import t from 'tap'
import {
  assertSettled, ApiError, backfill, connectPsa, connectTenant, createClient, createReport, firstSync, listAll, mapCompanies, readyVersion,
  reportObjectCount, startPoller, startStack, storedVersionRows, versionRowsBeingInserted, waitFor, type Page, type Version
} from '../src/index.js'

const USERS = 10_000
const OBJECTS = USERS + 10 + 5 // + recycle bin + org contacts
const MATCHED = 100
const CONTACTS = 200
const VERSIONS = 3

t.test('report SIGKILLed while building versions: each ends complete, numbering has no gaps or repeats', async (t) => {
  const stack = await startStack(t, {
    name: 'report-kill',
    appPermissions: ['User.Read.All', 'Organization.Read.All', 'AuditLog.Read.All', 'OrgContact.Read.All'],
    env: { report: { VERSION_BUILD_POLL_MS: '200' } }
  })
  const { api, sims: { m365, psa } } = stack

  // --- a big read model: a 10,000-user tenant synced, 200 PSA contacts (half of them people of the tenant)
  const { tenantId } = m365.admin.createTenant({ displayName: 'Huge Clinic Group', userCount: USERS, licenseTier: 'free', mix: { deleted: 10, orgContacts: 5 } })
  const clientId = await createClient(api, 'Huge Clinic Group')
  await connectTenant(stack, clientId, tenantId)
  await firstSync(api, clientId, tenantId)
  await waitFor(`report to hold the tenant's ${OBJECTS} objects`, async () => await reportObjectCount(stack.sql, tenantId) === OBJECTS, 120_000)
  const { items: matchable } = await api.get<Page<{ userPrincipalName: string }>>(`/v1/clients/${clientId}/office365/users?objectType=user&deleted=false&limit=${MATCHED}`)
  const company = psa.admin.createCompany({ name: 'Huge Clinic Group' })
  for (let i = 0; i < CONTACTS; i++) {
    const email = i < MATCHED ? matchable[i]!.userPrincipalName.toUpperCase() : `outsider${i}@elsewhere.example`
    psa.admin.createContact({ companyId: company.id, firstName: 'Contact', lastName: String(i), emails: [email] })
  }
  const connection = await connectPsa(stack, 'connectwise')
  await mapCompanies(api, connection.id, [{ companyExternalId: String(company.id), clientId }])
  await backfill(api, connection.id)
  await waitFor('report to hold the contacts', async () => {
    const [row] = await stack.sql<Array<{ n: number }>>`select count(*)::int as n from report.contacts where client_id = ${clientId} and not deleted`
    return row?.n === CONTACTS
  })

  const template = await api.post<{ id: string }>('/v1/templates', {
    name: 'Users and contacts',
    office365: { mergeMode: 'o365+contacts', columns: [{ key: 'displayName' }, { key: 'userPrincipalName' }, { key: 'mfaStatus' }, { key: 'contactName' }, { key: 'matchedBy' }] }
  })
  const reportId = await createReport(api, clientId, 'Everyone', template.id)

  // --- three versions requested at once; report is killed while it is inserting rows for one of them
  const created: Version[] = []
  for (let i = 0; i < VERSIONS; i++) created.push(await api.post<Version>(`/v1/reports/${reportId}/versions`))
  t.same(created.map((v) => [v.number, v.status]), [[1, 'building'], [2, 'building'], [3, 'building']], 'numbered 1, 2, 3 and building')
  const watcher = startPoller(async () => await Promise.all(created.map(async (v) => {
    try {
      const now = await api.get<Version>(`/v1/report-versions/${v.id}`)
      return `${now.status}:${String(now.rowCount)}`
    } catch (err) {
      // while report is down the gateway answers 502/503: a reader sees an error, never a half version
      if (err instanceof ApiError && err.status >= 500) return 'unavailable'
      throw err
    }
  })), { pauseMs: 20 })
  await waitFor('a build to be inserting rows', () => versionRowsBeingInserted(stack.sql), 60_000, 5)
  await stack.report.kill()
  const ready = await stack.sql<Array<{ id: string }>>`select id from report.report_versions where status = 'ready'`
  t.comment(`report SIGKILLed mid-build with ${ready.length} of ${VERSIONS} versions ready`)
  t.ok(ready.length < VERSIONS, 'at least one version was still being built')
  t.same(await storedVersionRows(stack.sql, created.filter((v) => !ready.some((r) => r.id === v.id)).map((v) => v.id)), new Map(),
    'the killed build left no rows behind')

  // --- report comes back and finishes every version
  await stack.report.startReady()
  const versions = []
  for (const v of created) versions.push(await readyVersion(api, v.id))
  const seen = await watcher.stop()
  t.same(watcher.errors.map((e) => e.message), [], 'no read failed other than while report was down')
  const states = new Set(seen.flat())
  t.same([...states].filter((s) => s !== 'building:null' && s !== `ready:${OBJECTS}` && s !== 'unavailable'), [],
    `every read showed a version building or complete (${seen.length} reads: ${[...states].join(', ')})`)

  for (const v of versions) {
    t.match(v, { status: 'ready', rowCount: OBJECTS }, `version ${v.number}: complete, ${OBJECTS} rows`)
    t.match(v.mergeStats, { rows: OBJECTS, matched: MATCHED, contacts: CONTACTS }, `version ${v.number}: merged`)
  }
  const stored = await storedVersionRows(stack.sql, versions.map((v) => v.id))
  t.same(versions.map((v) => stored.get(v.id)), versions.map(() => OBJECTS), 'each version holds exactly its rows')
  const csv = await api.raw('GET', `/v1/report-versions/${versions[1]!.id}/rows`, { accept: 'text/csv' })
  t.equal(csv.text.split('\r\n').filter((line) => line.length > 0).length, OBJECTS + 1, 'the version rebuilt after the crash reads whole as CSV')

  // --- numbering goes on without a repeat
  const next = await api.post<Version>(`/v1/reports/${reportId}/versions`)
  t.equal(next.number, VERSIONS + 1, 'the next version is number 4')
  await readyVersion(api, next.id)
  const listed = await listAll<Version>(api, `/v1/reports/${reportId}/versions`)
  t.same(listed.map((v) => v.number), [4, 3, 2, 1], 'the report lists versions 4..1, each once')
  const page = await api.get<Page<Version>>(`/v1/clients/${clientId}/reports`)
  t.equal(page.items.length, 1, 'one report')

  await assertSettled(t, stack)
})
