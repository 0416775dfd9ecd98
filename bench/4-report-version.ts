import { randomUUID } from 'node:crypto'
import type { Benchmark, BenchContext } from './lib/context.js'
import { startService } from './lib/launcher.js'
import { atMost, measure, type Measure } from './lib/ratios.js'
import { callService, reportFixture } from './lib/report-data.js'
import { fmt } from './lib/tenants.js'
import { formatMs, now, waitFor } from './lib/timing.js'

const BENCH = '4. report version'

/**
 * A report version of a client with O365 users and PSA contacts in the read model, default template
 * (o365+contacts): from POST /v1/reports/{id}/versions until the version reads "ready". Floor: the
 * same users joined to their contacts on the email address and inserted as version rows (same table
 * shape, same visible columns) in one INSERT … SELECT, outside the service.
 */
async function run (ctx: BenchContext): Promise<Measure[]> {
  const { env, sizes, log } = ctx
  const report = await startService('report', { ...env.serviceEnv, VERSION_BUILD_POLL_MS: '1000' }, { label: 'report-4', cpuProf: env.cpuProf })
  try {
    const seedStart = now()
    const fixture = await reportFixture(env, report.url, { users: sizes.reportUsers, contacts: sizes.reportContacts, matchShare: sizes.reportMatchShare })
    log(`${BENCH}: ${fmt(fixture.users)} users and ${fmt(fixture.contacts)} contacts in report's read model (${formatMs(now() - seedStart)})`)
    await env.sql`vacuum analyze report.o365_users, report.o365_user_addresses, report.contacts, report.contact_addresses`

    const reportRow = await callService<{ id: string }>(report.url, 'POST', `/v1/clients/${fixture.clientId}/reports`, { name: 'Licences and MFA' })
    const times: number[] = []
    const floors: number[] = []
    let rows = 0
    let matched = 0
    for (let round = 0; round < 3; round++) {
      const start = now()
      const version = await callService<{ id: string }>(report.url, 'POST', `/v1/reports/${reportRow.id}/versions`)
      const ready = await waitFor(`version ${version.id}`, async () => {
        const v = await callService<{ status: string, rowCount: number | null, mergeStats: { matched: number } | null }>(report.url, 'GET', `/v1/report-versions/${version.id}`)
        if (v.status === 'failed') throw new Error(`version ${version.id} failed`)
        return v.status === 'ready' ? v : undefined
      }, { intervalMs: 10, timeoutMs: 600_000 })
      times.push(now() - start)
      rows = ready.rowCount ?? 0
      matched = ready.mergeStats?.matched ?? 0
      floors.push(await floorStatement(ctx, fixture.clientId))
    }
    const best = Math.min(...times)
    const floor = Math.min(...floors)
    log(`${BENCH}: version of ${fmt(rows)} rows in ${times.map(formatMs).join(', ')}; floor ${floors.map(formatMs).join(', ')}`)
    if (rows !== fixture.users) throw new Error(`the version has ${rows} rows, expected ${fixture.users}`)
    const expected = Math.round(fixture.contacts * sizes.reportMatchShare)
    if (matched !== expected) throw new Error(`the version matched ${matched} rows to a contact, expected ${expected}`)
    return [measure({
      bench: BENCH,
      name: `version of ${fmt(fixture.users)} users merged with ${fmt(fixture.contacts)} contacts (${Math.round(sizes.reportMatchShare * 100)} % matching)`,
      value: best,
      unit: 'ms',
      floor: { name: 'one INSERT … SELECT', value: floor },
      target: atMost(2),
      note: 'best of 3, POST until ready'
    })]
  } finally {
    await report.stop()
  }
}

/** The same merge as one statement: users ⋈ contacts on the email address (case-insensitive), the visible columns as JSON. */
async function floorStatement (ctx: BenchContext, clientId: string): Promise<number> {
  const { sql } = ctx.env
  await sql.unsafe('create schema if not exists bench_floor')
  await sql.unsafe('drop table if exists bench_floor.version_rows')
  await sql.unsafe('create table bench_floor.version_rows (like report.version_rows including all)')
  try {
    const start = now()
    await sql`
      insert into bench_floor.version_rows (version_id, row_number, row_key, display_name, email, licenses, mfa_status, matched_by, values)
      select ${randomUUID()}::uuid, row_number() over (order by u.sort_name, u.tenant_id, u.user_id), 'o365:' || u.tenant_id || ':' || u.user_id,
        u.display_name, coalesce(u.mail, u.user_principal_name, c.primary_email), u.licenses, u.mfa_status,
        case when c.external_id is not null then 'mail' end,
        jsonb_build_object('displayName', u.display_name, 'email', coalesce(u.mail, c.primary_email), 'userPrincipalName', u.user_principal_name,
          'userType', u.user_type, 'accountEnabled', u.account_enabled,
          'licenses', (select coalesce(jsonb_agg(l->>'productName' order by l->>'productName'), '[]'::jsonb) from jsonb_array_elements(u.licenses) l),
          'mfaStatus', u.mfa_status, 'mfaExplanation', u.mfa->>'explanation',
          'contactName', nullif(btrim(concat_ws(' ', c.first_name, c.last_name)), ''), 'contactPhone', c.phone,
          'matchedBy', case when c.external_id is not null then 'mail' end)
      from report.o365_users u
      left join lateral (
        select k.* from report.contact_addresses a
        join report.contacts k on k.psa = a.psa and k.connection_id = a.connection_id and k.external_id = a.external_id
        where a.client_id = u.client_id and a.address = lower(u.mail)
        order by a.is_primary desc, a.psa, a.connection_id, a.external_id limit 1
      ) c on true
      where u.client_id = ${clientId}`
    return now() - start
  } finally {
    await sql.unsafe('drop table if exists bench_floor.version_rows')
  }
}

export const reportVersion: Benchmark = { id: 4, name: 'report-version', run }
