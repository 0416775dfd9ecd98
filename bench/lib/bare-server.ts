// The floors of benchmarks 5 and 6: bare Fastify in its own process, no logger, nothing but the route.
//   BARE_MODE=static BARE_FILE=<json>: GET <path> answers the recorded bytes ({ routes: [{ path, contentType, body (base64) }] })
//   BARE_MODE=proxy BARE_UPSTREAM=<url>: GET <path> forwarded to the upstream with undici, its status, content type and
//     body relayed: what the gateway → report hop of DESIGN.md costs at least, with a static bare server upstream
//   BARE_MODE=webhooks BARE_AUTOTASK_SECRET=… BARE_CONNECTWISE_KEY=…: POST /webhooks/{autotask|connectwise}/:id
//     verifies the PSA's HMAC over the raw body and answers 202, nothing else; with DATABASE_URL=… it first stores the body in
//     Postgres, group-committed (one multi-row INSERT for whatever arrived while the previous one ran): what durability costs at least
//   BARE_MODE=db DATABASE_URL=…: GET /v1/report-versions/:id and …/rows?limit&cursor straight from report's tables with
//     postgres.js and JSON.stringify (no gateway, no token, no ORM, no schema): what reading the same data costs at least
// Prints `bare-server listening on <port>`.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import { readFileSync } from 'node:fs'
import Fastify from 'fastify'
import postgres from 'postgres'
import { Pool } from 'undici'

const app = Fastify({ logger: false })
const mode = process.env.BARE_MODE

if (mode === 'static') {
  const { routes } = JSON.parse(readFileSync(process.env.BARE_FILE!, 'utf8')) as { routes: Array<{ path: string, contentType: string, body: string }> }
  const byUrl = new Map(routes.map((r) => [r.path, { contentType: r.contentType, body: Buffer.from(r.body, 'base64') }]))
  app.get('/*', async (request, reply) => {
    const route = byUrl.get(request.url)
    if (!route) return await reply.code(404).send()
    return await reply.type(route.contentType).send(route.body)
  })
} else if (mode === 'proxy') {
  const upstream = new Pool(process.env.BARE_UPSTREAM!, { connections: 32 })
  app.addHook('onClose', async () => { await upstream.close() })
  app.get('/*', async (request, reply) => {
    const response = await upstream.request({ method: 'GET', path: request.url, headers: { accept: request.headers.accept } })
    return await reply.code(response.statusCode).type(String(response.headers['content-type'])).send(response.body)
  })
} else if (mode === 'webhooks') {
  const autotaskSecret = process.env.BARE_AUTOTASK_SECRET!
  const connectWiseKey = createHash('sha256').update(process.env.BARE_CONNECTWISE_KEY!, 'utf8').digest()
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => { done(null, body) })
  const same = (a: string, b: string) => {
    const x = Buffer.from(a)
    const y = Buffer.from(b)
    return x.length === y.length && timingSafeEqual(x, y)
  }
  const store = process.env.DATABASE_URL ? await groupCommit(process.env.DATABASE_URL) : undefined
  app.post<{ Params: { psa: string, id: string } }>('/webhooks/:psa/:id', async (request, reply) => {
    const raw = request.body as Buffer
    let ok = false
    if (request.params.psa === 'autotask') {
      ok = same(String(request.headers['x-hook-signature'] ?? ''), `sha1=${createHmac('sha1', autotaskSecret).update(raw).digest('base64')}`)
    } else if (request.params.psa === 'connectwise') {
      ok = same(String(request.headers['x-content-signature'] ?? ''), createHmac('sha256', connectWiseKey).update(raw).digest('base64'))
    }
    if (!ok) return await reply.code(401).send({ status: 'rejected' })
    if (store) await store(request.params.psa, raw)
    return await reply.code(202).send({ status: 'accepted', duplicate: false })
  })
} else if (mode === 'db') {
  const sql = postgres(process.env.DATABASE_URL!, { max: 10 })
  app.addHook('onClose', async () => { await sql.end() })
  app.get<{ Params: { id: string } }>('/v1/report-versions/:id', async (request) => {
    const [row] = await sql`select * from report.report_versions where id = ${request.params.id}`
    return row
  })
  app.get<{ Params: { id: string }, Querystring: { limit?: string, cursor?: string } }>('/v1/report-versions/:id/rows', async (request, reply) => {
    const limit = Number(request.query.limit ?? 100)
    const after = request.query.cursor ? (JSON.parse(Buffer.from(request.query.cursor, 'base64url').toString()) as number[])[0]! : 0
    const [version] = await sql<Array<{ columns: Array<{ key: string, label: string, visible: boolean }> }>>`
      select columns from report.report_versions where id = ${request.params.id} and status = 'ready'`
    if (!version) return await reply.code(404).send()
    const rows = await sql<Array<{ row_number: number, values: Record<string, unknown> }>>`
      select row_number, values from report.version_rows where version_id = ${request.params.id} and row_number > ${after}
      order by row_number limit ${limit + 1}`
    const page = rows.slice(0, limit)
    const columns = version.columns.filter((c) => c.visible).map(({ key, label }) => ({ key, label }))
    const last = page.at(-1)
    return reply.type('application/json').send(JSON.stringify({
      columns,
      items: page.map((r) => ({ rowNumber: r.row_number, values: r.values })),
      nextCursor: rows.length > limit && last ? Buffer.from(JSON.stringify([last.row_number])).toString('base64url') : null
    }))
  })
} else {
  throw new Error(`BARE_MODE must be static, proxy, webhooks or db, not ${mode}`)
}

/** Stores (psa, body) rows in a table of its own; each call resolves once its row is committed. */
async function groupCommit (url: string): Promise<(psa: string, body: Buffer) => Promise<void>> {
  const sql = postgres(url, { max: 4, onnotice: () => {} })
  app.addHook('onClose', async () => { await sql.end() })
  await sql`create table if not exists bare_webhook_deliveries (seq bigserial primary key, psa text not null, body bytea not null)`
  const waiting: Array<{ psa: string, body: Buffer, done: (err?: unknown) => void }> = []
  let writing = false
  const write = async () => {
    writing = true
    while (waiting.length > 0) {
      const rows = waiting.splice(0, 500)
      try {
        await sql`insert into bare_webhook_deliveries ${sql(rows.map(({ psa, body }) => ({ psa, body })), 'psa', 'body')}`
        for (const row of rows) row.done()
      } catch (err) {
        for (const row of rows) row.done(err)
      }
    }
    writing = false
  }
  return async (psa, body) => await new Promise<void>((resolve, reject) => {
    waiting.push({ psa, body, done: (err) => { if (err) reject(err); else resolve() } })
    if (!writing) write().catch(() => {}) // write() settles every row itself
  })
}

await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) })
const address = app.server.address()
process.stdout.write(`bare-server listening on ${typeof address === 'object' && address ? address.port : ''}\n`)
process.once('SIGTERM', () => { app.close().then(() => process.exit(0), () => process.exit(1)) })
