import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { request } from 'undici'
import type { Benchmark, BenchContext } from './lib/context.js'
import { RESULTS_DIR, startBareServer, startService } from './lib/launcher.js'
import { load, type LoadResult } from './lib/load.js'
import { atLeast, below, measure, type Measure } from './lib/ratios.js'
import { callService, reportFixture } from './lib/report-data.js'
import { fmt } from './lib/tenants.js'
import { gatewayKeyAndToken } from './lib/tokens.js'
import { waitFor } from './lib/timing.js'

const BENCH = '5. gateway'

/**
 * The public API under load: the rows of a ready version (cursor pages through the gateway to
 * report) and the version's metadata, with a bearer token the gateway verifies on every request.
 * Floor: a bare Fastify route in its own process answering the very bytes the gateway answered.
 */
async function run (ctx: BenchContext): Promise<Measure[]> {
  const { env, sizes, log } = ctx
  const report = await startService('report', { ...env.serviceEnv, VERSION_BUILD_POLL_MS: '1000' }, { label: 'report-5', cpuProf: env.cpuProf })
  const keyFile = join(RESULTS_DIR, 'gateway-bench-key.json')
  const token = await gatewayKeyAndToken(keyFile)
  const gateway = await startService('gateway', {
    ...env.serviceEnv,
    REPORT_URL: report.url,
    TENANT_AUTH_URL: report.url,
    GRAPH_SYNC_URL: report.url,
    CONTACTS_INGEST_URL: report.url,
    JWT_LOCAL_KEY_FILE: keyFile,
    // the per-principal limit (600/min) would answer most of the load with 429: this measures throughput
    RATE_LIMIT_MAX: '1000000000'
  }, { label: 'gateway-5', cpuProf: env.cpuProf })
  const floors: Array<{ stop: () => Promise<void> }> = []
  try {
    const fixture = await reportFixture(env, report.url, { users: sizes.gatewayRows, contacts: sizes.gatewayRows, matchShare: sizes.reportMatchShare })
    const reportRow = await callService<{ id: string }>(report.url, 'POST', `/v1/clients/${fixture.clientId}/reports`, { name: 'Gateway bench' })
    const version = await callService<{ id: string }>(report.url, 'POST', `/v1/reports/${reportRow.id}/versions`)
    await waitFor(`version ${version.id}`, async () =>
      (await callService<{ status: string }>(report.url, 'GET', `/v1/report-versions/${version.id}`)).status === 'ready', { timeoutMs: 600_000, intervalMs: 100 })

    const headers = { authorization: `Bearer ${token}`, accept: 'application/json' }
    // walk the pages once through the gateway: the paths autocannon cycles through, and the bytes the floor answers
    const routes: Array<{ path: string, contentType: string, body: string }> = []
    let cursor: string | null = null
    do {
      const path: string = `/v1/report-versions/${version.id}/rows?limit=${sizes.gatewayPageSize}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`
      const res = await request(`${gateway.url}${path}`, { headers })
      const body = Buffer.from(await res.body.arrayBuffer())
      if (res.statusCode !== 200) throw new Error(`${path}: ${res.statusCode} ${body.toString()}`)
      routes.push({ path, contentType: String(res.headers['content-type']), body: body.toString('base64') })
      cursor = (JSON.parse(body.toString()) as { nextCursor: string | null }).nextCursor
    } while (cursor)
    const metaPath = `/v1/report-versions/${version.id}`
    const meta = await request(`${gateway.url}${metaPath}`, { headers })
    routes.push({ path: metaPath, contentType: String(meta.headers['content-type']), body: Buffer.from(await meta.body.arrayBuffer()).toString('base64') })
    const pages = routes.length - 1
    const pageBytes = Buffer.from(routes[0]!.body, 'base64').length
    log(`${BENCH}: version of ${fmt(fixture.users)} rows: ${pages} pages of ${sizes.gatewayPageSize} (${fmt(pageBytes)} bytes each), metadata ${fmt(Buffer.from(routes.at(-1)!.body, 'base64').length)} bytes`)

    const file = join(RESULTS_DIR, 'gateway-floor-routes.json')
    await writeFile(file, JSON.stringify({ routes }))
    const bare = await startBareServer('bare-5', { BARE_MODE: 'static', BARE_FILE: file })
    floors.push(bare)
    const direct = await startBareServer('bare-5-db', { BARE_MODE: 'db', DATABASE_URL: env.databaseUrl })
    floors.push(direct)
    const hop = await startBareServer('bare-5-hop', { BARE_MODE: 'proxy', BARE_UPSTREAM: bare.url })
    floors.push(hop)

    const opts = { connections: sizes.gatewayConnections, durationS: sizes.gatewayDurationS }
    const rowRequests = routes.slice(0, -1).map((r) => ({ method: 'GET', path: r.path, headers }))
    const metaRequests = [{ method: 'GET', path: metaPath, headers }]
    const runs = async (requests: typeof rowRequests) => ({
      gateway: await load(gateway.url, { ...opts, requests }),
      bare: await load(bare.url, { ...opts, requests }),
      hop: await load(hop.url, { ...opts, requests }),
      direct: await load(direct.url, { ...opts, requests })
    })
    const rows = await runs(rowRequests)
    const metadata = await runs(metaRequests)
    for (const [what, r] of Object.entries({ rows, metadata })) {
      log(`${BENCH}: ${what}: gateway ${describe(r.gateway)}; bare ${describe(r.bare)}; bare hop ${describe(r.hop)}; bare route reading Postgres ${describe(r.direct)}`)
      if (r.gateway.failed > 0) throw new Error(`${what}: ${r.gateway.failed} requests failed through the gateway (${JSON.stringify(r.gateway.statuses)})`)
    }
    const figures = (what: string, r: Record<'gateway' | 'bare' | 'hop' | 'direct', LoadResult>): Measure[] => [
      measure({
        bench: BENCH,
        name: `${what}: requests/s`,
        value: r.gateway.okPerSecond,
        unit: 'req/s',
        floor: { name: 'bare Fastify', value: r.bare.okPerSecond },
        target: atLeast(0.5),
        note: `${sizes.gatewayConnections} connections`
      }),
      measure({
        bench: BENCH,
        name: `${what}: requests/s against the design's hop with nothing on either side (a bare route forwarding to the bare route)`,
        value: r.gateway.okPerSecond,
        unit: 'req/s',
        floor: { name: 'bare Fastify → bare Fastify', value: r.hop.okPerSecond },
        note: `the hop alone: ${(r.hop.okPerSecond / r.bare.okPerSecond).toFixed(2)}× the bare route, its p99 ${r.hop.p99} ms`
      }),
      measure({
        bench: BENCH,
        name: `${what}: requests/s against a bare route reading the same rows from Postgres`,
        value: r.gateway.okPerSecond,
        unit: 'req/s',
        floor: { name: 'bare Fastify + SELECT', value: r.direct.okPerSecond },
        note: `its p99 ${r.direct.p99} ms`
      }),
      measure({
        bench: BENCH,
        name: `${what}: p99 latency`,
        value: r.gateway.p99,
        unit: 'ms',
        floor: { name: 'bare Fastify', value: r.bare.p99 },
        target: below(50, 'value')
      })
    ]
    return [
      ...figures(`rows of a ${fmt(fixture.users)}-row version, ${sizes.gatewayPageSize} per page`, rows),
      ...figures('version metadata', metadata)
    ]
  } finally {
    for (const f of floors) await f.stop()
    await gateway.stop()
    await report.stop()
  }
}

const describe = (r: LoadResult) => `${fmt(Math.round(r.okPerSecond))} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms${r.failed ? `, ${r.failed} failed ${JSON.stringify(r.statuses)}` : ''}`

export const gateway: Benchmark = { id: 5, name: 'gateway', run }
