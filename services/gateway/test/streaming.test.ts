import t, { type Test } from 'tap'
import { randomUUID } from 'node:crypto'
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fetch } from 'undici'
import { startStack, waitFor } from './helper.js'

/**
 * Stands in for report where report cannot be made to misbehave on demand (never answer, stream for ever):
 * each request is handed to `handle`, and the test learns when the gateway hung up on it (`closed`).
 */
async function startUpstream (t: Test, handle: (req: IncomingMessage, res: ServerResponse) => void) {
  const seen: Array<{ method: string, url: string, closed: boolean, finished: boolean }> = []
  const open = new Set<ServerResponse>()
  const server = createServer((req, res) => {
    const entry = { method: req.method ?? '', url: req.url ?? '', closed: false, finished: false }
    seen.push(entry)
    open.add(res)
    res.on('finish', () => { entry.finished = true })
    res.on('close', () => { entry.closed = true; open.delete(res) })
    handle(req, res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise((resolve) => server.close(resolve)))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, cut: () => { for (const res of open) res.destroy() } }
}

/** The gateway in front of `upstream` as report; the upstream's open answers are cut before the gateway closes (teardowns run last first). */
async function gatewayBefore (t: Test, upstream: { url: string, cut: () => void }, env: Record<string, string> = {}) {
  const stack = await startStack(t, { env: { REPORT_URL: upstream.url, ...env } })
  t.teardown(upstream.cut)
  return stack
}

/** Writes CSV lines for as long as the reader takes them (backpressure honoured), never ending. */
function endlessCsv (res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8' })
  const line = `${'x'.repeat(1000)}\r\n`
  const pump = () => {
    while (!res.destroyed && res.write(line));
    if (!res.destroyed) res.once('drain', pump)
  }
  pump()
}

const versionPath = () => `/v1/report-versions/${randomUUID()}/rows`

t.test('a caller who hangs up before the service answers: the service call is abandoned, not waited out', async (t) => {
  const upstream = await startUpstream(t, () => { /* never answers */ })
  // far longer than the test waits: only the caller's going away can end the call
  const stack = await gatewayBefore(t, upstream, { UPSTREAM_TIMEOUT_MS: '600000' })
  const caller = new AbortController()
  const pending = fetch(`${stack.url}${versionPath()}`, { headers: { authorization: `Bearer ${stack.mspToken}` }, signal: caller.signal })
    .catch((err: unknown) => err)
  await waitFor(() => upstream.seen.length === 1, 'the call reaching the service')
  caller.abort()
  t.type(await pending, Error, 'the caller gave up')
  await waitFor(() => upstream.seen[0]!.closed, 'the gateway hanging up on the service', 20_000)
  t.notOk(upstream.seen[0]!.finished)
})

t.test('the same for a webhook passed through: a PSA that hangs up ends the call to contacts-ingest', async (t) => {
  const upstream = await startUpstream(t, () => { /* never answers */ })
  const stack = await gatewayBefore(t, upstream, { WEBHOOKS_UPSTREAM_URL: upstream.url, UPSTREAM_TIMEOUT_MS: '600000' })
  const caller = new AbortController()
  const pending = fetch(`${stack.url}/webhooks/autotask/${randomUUID()}`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"Id":1}', signal: caller.signal
  }).catch((err: unknown) => err)
  await waitFor(() => upstream.seen.length === 1, 'the webhook reaching the upstream')
  caller.abort()
  t.type(await pending, Error, 'the caller gave up')
  await waitFor(() => upstream.seen[0]!.closed, 'the gateway hanging up on the upstream', 20_000)
})

t.test('a caller who hangs up mid-body: the service\'s body stops too', async (t) => {
  const upstream = await startUpstream(t, (_req, res) => { endlessCsv(res) })
  const stack = await gatewayBefore(t, upstream)
  const caller = new AbortController()
  const res = await fetch(`${stack.url}${versionPath()}`, { headers: { authorization: `Bearer ${stack.mspToken}`, accept: 'text/csv' }, signal: caller.signal })
  t.equal(res.status, 200)
  const reader = res.body!.getReader()
  t.ok((await reader.read()).value, 'the first bytes arrive')
  caller.abort()
  await waitFor(() => upstream.seen[0]!.closed, 'the gateway hanging up on the service', 20_000)
  t.notOk(upstream.seen[0]!.finished)
})

t.test('a reader who takes nothing for STREAM_STALL_TIMEOUT_MS is cut off, which frees the service connection', async (t) => {
  const upstream = await startUpstream(t, (_req, res) => { endlessCsv(res) })
  const stack = await gatewayBefore(t, upstream, { STREAM_STALL_TIMEOUT_MS: '1000', UPSTREAM_TIMEOUT_MS: '600000' })
  // connected, never reading: the socket buffers fill and the gateway's writes stop
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = httpRequest(`${stack.url}${versionPath()}`, { headers: { authorization: `Bearer ${stack.mspToken}`, accept: 'text/csv' } }, (res) => {
      res.pause()
      resolve(res)
    })
    req.on('error', reject)
    req.end()
    t.teardown(() => { req.destroy() })
  })
  t.equal(res.statusCode, 200)
  await waitFor(() => upstream.seen[0]?.closed, 'the gateway cutting the stalled stream and hanging up on the service', 30_000)
  t.notOk(upstream.seen[0]!.finished)
  // reading again, the reader finds the answer cut short, not complete
  const ended = new Promise<string>((resolve) => {
    res.on('error', () => { resolve('cut') })
    res.on('close', () => { resolve(res.complete ? 'complete' : 'cut') })
  })
  res.resume()
  t.equal(await ended, 'cut')
})

t.test('HEAD is forwarded as HEAD: the service sends no body (a whole CSV export) for the gateway to throw away', async (t) => {
  const upstream = await startUpstream(t, (req, res) => {
    if (req.method === 'HEAD') res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8' }).end()
    else endlessCsv(res)
  })
  const stack = await gatewayBefore(t, upstream)
  const res = await fetch(`${stack.url}${versionPath()}`, { method: 'HEAD', headers: { authorization: `Bearer ${stack.mspToken}`, accept: 'text/csv' } })
  t.equal(res.status, 200)
  t.match(res.headers.get('content-type'), /^text\/csv/)
  t.equal(await res.text(), '')
  t.same(upstream.seen.map((r) => r.method), ['HEAD'])
})
