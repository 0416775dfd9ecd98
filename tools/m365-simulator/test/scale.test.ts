import t from 'tap'
import { raw, registerAppAndTenant, startSim } from './helper.js'

const MB = 1024 * 1024

t.test('a 200,000-user tenant is served page by page without materialising it', async (t) => {
  const h = await startSim(t, { fixture: 'none' })
  const gc = (globalThis as { gc?: () => void }).gc // tap runs with --expose-gc (package.json)
  gc?.()
  const baseline = process.memoryUsage().heapUsed
  const { tenantId, token } = await registerAppAndTenant(h, { displayName: 'Huge Corp', userCount: 200_000, reportThrottle: null })
  let peak = 0
  // heap still held after a collection: what the simulator keeps, not garbage awaiting GC
  const sample = () => {
    gc?.()
    peak = Math.max(peak, process.memoryUsage().heapUsed - baseline)
  }

  const walk = async (path: string, headers: Record<string, string> = {}) => {
    let count = 0
    let pages = 0
    let next: string | undefined = path
    let deltaLink: string | undefined
    while (next) {
      const res = await raw(h, next, { token, headers })
      if (res.status !== 200) t.fail(`${next}: ${res.status}`)
      count += res.body.value.length
      pages++
      next = res.body['@odata.nextLink']
      deltaLink = res.body['@odata.deltaLink']
      if (pages % 50 === 0) sample()
    }
    return { count, pages, deltaLink }
  }

  const users = await walk('/v1.0/users?$top=999&$select=id,displayName,userPrincipalName,accountEnabled,assignedLicenses,userType')
  t.equal(users.count, 200_000)
  t.equal(users.pages, 201)

  h.sim.admin.addUser(tenantId, { displayName: 'One More' })
  const delta = await walk('/v1.0/users/delta?$select=id,accountEnabled', { Prefer: 'odata.maxpagesize=999' })
  t.equal(delta.count, 200_001)
  t.ok(delta.deltaLink)

  const report = await walk('/v1.0/reports/authenticationMethods/userRegistrationDetails?$top=999')
  t.ok(report.count > 150_000 && report.count < 200_001, `${report.count} registration rows`)

  const skus = await raw(h, '/v1.0/subscribedSkus', { token })
  t.ok(skus.body.value.reduce((n: number, s: { consumedUnits: number }) => n + s.consumedUnits, 0) > 150_000)
  sample()
  t.ok(gc === undefined || peak < 100 * MB, `heap growth while serving stayed at ${Math.round(peak / MB)} MB (< 100 MB)`)
})
