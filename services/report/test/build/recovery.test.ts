import t from 'tap'
import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { queryRows } from '@m365/db'
import { createTestDatabase } from '@m365/db/testing'
import { build, MSP, waitFor } from '../helper.js'
import { connectTenant, createClient, createReport, syncTenant, user, waitForVersion } from '../fixtures.js'

t.test('a version left pending by a crash is built by the next process', async (t) => {
  const database = await createTestDatabase(t)
  const first = await build(t, { databaseUrl: database.url, env: { VERSION_BUILD_POLL_MS: '3600000' } })
  const clientId = await createClient(first.app)
  await syncTenant(first.app, { tenantId: await connectTenant(first.app, clientId), clientId, users: [user(), user()] })
  const reportId = await createReport(first.app, clientId)
  // what POST /versions commits, without the wake-up that would build it: as if the process died right after
  const versionId = randomUUID()
  await first.app.db.execute(sql`
    with r as (update report.reports set last_version_number = last_version_number + 1 where id = ${reportId}::uuid returning *)
    insert into report.report_versions (id, report_id, client_id, number, status, template_id, template_name, template_revision, merge_mode, columns)
    select ${versionId}::uuid, r.id, r.client_id, r.last_version_number, 'building', t.id, t.name, t.revision, t.merge_mode, t.columns
    from r join report.templates t on t.id = r.template_id`)
  await first.app.db.execute(sql`insert into report.pending_versions (version_id) values (${versionId}::uuid)`)
  const building = await first.app.inject({ url: `/v1/report-versions/${versionId}/rows`, headers: MSP })
  t.equal(building.statusCode, 409, 'rows of a version being built are not served')
  t.equal(building.json().code, 'VERSION_NOT_READY')
  await first.app.close()

  const second = await build(t, { databaseUrl: database.url })
  const version = await waitForVersion(second.app, versionId)
  t.match(version, { status: 'ready', number: 1, rowCount: 2 })
})

t.test('a build that fails leaves no half version, and is retried', async (t) => {
  const { app } = await build(t)
  const clientId = await createClient(app)
  const tenantId = await connectTenant(app, clientId)
  await syncTenant(app, { tenantId, clientId, users: [user({ displayName: 'Fine' }), user({ displayName: 'Broken' })] })
  // a row the build's SQL cannot read: jsonb_array_elements of an object fails mid-transaction
  await app.db.execute(sql`update report.o365_users set licenses = '{"corrupt": true}'::jsonb where display_name = 'Broken'`)
  const res = await app.inject({ method: 'POST', url: `/v1/reports/${await createReport(app, clientId)}/versions`, headers: MSP })
  const versionId = res.json().id
  await waitFor(async () => {
    const [pending] = await queryRows<{ attempts: number }>(app.db, sql`select attempts from report.pending_versions where version_id = ${versionId}::uuid`)
    return (pending?.attempts ?? 0) > 0
  }, 'a failed attempt')
  t.match((await app.inject({ url: `/v1/report-versions/${versionId}`, headers: MSP })).json(), { status: 'building', rowCount: null, licenseSummary: null })
  t.same(await queryRows(app.db, sql`select count(*)::int as n from report.version_rows`), [{ n: 0 }], 'no rows of the failed attempt')

  await app.db.execute(sql`update report.o365_users set licenses = '[]'::jsonb where display_name = 'Broken'`)
  await app.db.execute(sql`update report.pending_versions set next_attempt_at = now()`)
  t.match(await waitForVersion(app, versionId), { status: 'ready', rowCount: 2 })
})

t.test('a build failing every attempt ends as failed', async (t) => {
  const { app } = await build(t, { env: { VERSION_BUILD_MAX_ATTEMPTS: '1' } })
  const clientId = await createClient(app)
  await syncTenant(app, { tenantId: await connectTenant(app, clientId), clientId, users: [user()] })
  await app.db.execute(sql`update report.o365_users set licenses = '{"corrupt": true}'::jsonb`)
  const res = await app.inject({ method: 'POST', url: `/v1/reports/${await createReport(app, clientId)}/versions`, headers: MSP })
  t.match(await waitForVersion(app, res.json().id), { status: 'failed', error: /could not be built/ })
  t.same(await queryRows(app.db, sql`select count(*)::int as n from report.pending_versions`), [{ n: 0 }])
  t.equal((await app.inject({ method: 'POST', url: `/v1/report-versions/${res.json().id}/share`, headers: MSP })).statusCode, 409)
})
