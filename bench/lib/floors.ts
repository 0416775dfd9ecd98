import { pipeline } from 'node:stream/promises'
import { Readable } from 'node:stream'
import type postgres from 'postgres'
import { request } from 'undici'
import { USER_SELECT } from '@m365/graph'
import type { M365Sim } from './m365-sim.js'
import { now } from './timing.js'

interface Page { value?: Array<Record<string, unknown>>, '@odata.nextLink'?: string }

/**
 * The paging floor: GET /v1.0/users with the sync's $select and the largest page, following
 * @odata.nextLink, with undici and nothing else (each page parsed, then dropped unless `keep`).
 */
export async function pageUsersBare (sim: M365Sim, tenantId: string, options: { keep?: boolean } = {}) {
  const { accessToken } = await sim.token(tenantId)
  const headers = { authorization: `Bearer ${accessToken}` }
  const kept: Array<Record<string, unknown>> = []
  let count = 0
  let pages = 0
  const start = now()
  let next: string | undefined = `${sim.url}/v1.0/users?$select=${USER_SELECT.join(',')}&$top=999`
  while (next) {
    const res = await request(next, { dispatcher: sim.dispatcher, headers })
    if (res.statusCode !== 200) throw new Error(`users page answered ${res.statusCode}: ${await res.body.text()}`)
    const page = await res.body.json() as Page
    const users = page.value ?? []
    count += users.length
    pages++
    if (options.keep) for (const u of users) kept.push(u)
    next = page['@odata.nextLink']
  }
  return { ms: now() - start, count, pages, users: kept }
}

/**
 * The storage floor: the same rows (id, the user as JSON) COPYed into a fresh table with a primary
 * key, in one COPY ... FROM STDIN stream; the table is dropped afterwards.
 */
export async function copyUsersBare (sql: postgres.Sql, users: ReadonlyArray<Record<string, unknown>>) {
  await sql.unsafe('create schema if not exists bench_floor')
  await sql.unsafe('drop table if exists bench_floor.users')
  await sql.unsafe('create table bench_floor.users (object_id uuid primary key, data jsonb not null)')
  try {
    const start = now()
    const writable = await sql`copy bench_floor.users (object_id, data) from stdin`.writable()
    await pipeline(Readable.from(copyLines(users)), writable)
    return { ms: now() - start }
  } finally {
    await sql.unsafe('drop table if exists bench_floor.users')
  }
}

/** COPY text format: tab-separated, backslashes doubled (JSON.stringify escapes tabs and newlines itself). */
function * copyLines (users: ReadonlyArray<Record<string, unknown>>): Generator<string> {
  let chunk = ''
  for (const user of users) {
    chunk += `${String(user.id)}\t${JSON.stringify(user).replaceAll('\\', '\\\\')}\n`
    if (chunk.length > 256 * 1024) { yield chunk; chunk = '' }
  }
  if (chunk) yield chunk
}
