import t from 'tap'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  backoffDelay, createConnectWiseClient, isRetryableStatus, parseRetryAfter, PsaHttpError, RESPONSE_TEXT_LIMIT, withRetry, type RetryInfo
} from '@m365/psa'

t.test('retries retryable statuses and connection errors, then succeeds', async (t) => {
  const retries: RetryInfo[] = []
  let calls = 0
  const result = await withRetry(async () => {
    calls++
    if (calls === 1) throw new PsaHttpError(503, 'GET', 'http://x/')
    if (calls === 2) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })
    if (calls === 3) throw new PsaHttpError(429, 'GET', 'http://x/', 5)
    return 'done'
  }, { baseDelayMs: 1, onRetry: (info) => retries.push(info) })
  t.equal(result, 'done')
  t.equal(calls, 4)
  t.same(retries.map((r) => [r.attempt, r.status]), [[1, 503], [2, undefined], [3, 429]])
  t.equal(retries[2]?.delayMs, 5, 'Retry-After wins over the backoff')
})

t.test('does not retry what will not change and stops after the attempts', async (t) => {
  let calls = 0
  await t.rejects(withRetry(async () => { calls++; throw new PsaHttpError(400, 'GET', 'http://x/') }, { baseDelayMs: 1 }), { name: 'PsaHttpError', status: 400 })
  t.equal(calls, 1)
  calls = 0
  await t.rejects(withRetry(async () => { calls++; throw new PsaHttpError(502, 'GET', 'http://x/') }, { attempts: 3, baseDelayMs: 1 }), { name: 'PsaHttpError', status: 502 })
  t.equal(calls, 3)
  calls = 0
  await t.rejects(withRetry(async () => { calls++; throw new TypeError('bug') }, { baseDelayMs: 1 }), TypeError)
  t.equal(calls, 1)
  t.notOk(isRetryableStatus(501))
  t.notOk(isRetryableStatus(404))
  t.ok(isRetryableStatus(500))
})

t.test('Retry-After: seconds or an HTTP date; one longer than maxRetryAfterMs is thrown, not retried early', async (t) => {
  t.equal(parseRetryAfter('3'), 3000)
  t.equal(parseRetryAfter(['0']), 0)
  t.equal(parseRetryAfter(new Date(10_000 + 7_000).toUTCString(), 10_000), 7000)
  t.equal(parseRetryAfter('soon'), undefined)
  t.equal(parseRetryAfter(undefined), undefined)
  const delays: number[] = []
  let calls = 0
  await t.rejects(withRetry(async () => {
    if (calls++ === 0) throw new PsaHttpError(429, 'GET', 'http://x/', 3_600_000)
  }, { maxRetryAfterMs: 2, onRetry: (info) => delays.push(info.delayMs) }), { name: 'PsaHttpError', status: 429, retryAfterMs: 3_600_000 })
  t.equal(calls, 1, 'not asked again before the server said')
  t.same(delays, [])
  calls = 0
  await withRetry(async () => {
    if (calls++ === 0) throw new PsaHttpError(429, 'GET', 'http://x/', 2)
  }, { maxRetryAfterMs: 2, onRetry: (info) => delays.push(info.delayMs) })
  t.same(delays, [2], 'one within maxRetryAfterMs is waited out')
})

t.test('exponential backoff with full jitter', async (t) => {
  const opts = { baseDelayMs: 100, maxDelayMs: 1000, random: () => 0.5 }
  t.same([1, 2, 3, 4, 5].map((attempt) => backoffDelay(attempt, opts)), [50, 100, 200, 400, 500])
  t.equal(backoffDelay(3, { ...opts, random: () => 0 }), 0)
})

t.test('a REST client retries 429 with Retry-After and 5xx over HTTP, and gives up on 401', async (t) => {
  const answers = [
    { status: 429, headers: { 'retry-after': '0' } },
    { status: 503, headers: {} },
    { status: 200, headers: {}, body: { id: 1, firstName: 'A' } }
  ]
  let hits = 0
  const server = createServer((req, res) => {
    hits++
    if (req.headers.clientid !== 'cid') return res.writeHead(401).end()
    const answer = answers.shift() ?? { status: 200, headers: {}, body: { id: 1 } }
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers }).end(JSON.stringify(answer.body ?? {}))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }))
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v4_6_release/apis/3.0`
  const options = { baseUrl, companyId: 'c', publicKey: 'p', privateKey: 'k', clientId: 'cid', retry: { baseDelayMs: 1 } }
  const contact = await createConnectWiseClient(options).getContact(1)
  t.match(contact, { externalId: '1', firstName: 'A' })
  t.equal(hits, 3)
  await t.rejects(createConnectWiseClient({ ...options, clientId: 'wrong' }).getContact(1), { name: 'PsaHttpError', status: 401 })
  t.equal(hits, 4, '401 is not retried')
})

t.test('a REST client retries a refused connection and reports it in the end', async (t) => {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  const retries: RetryInfo[] = []
  const client = createConnectWiseClient({
    baseUrl: `http://127.0.0.1:${port}/v4_6_release/apis/3.0`,
    companyId: 'c',
    publicKey: 'p',
    privateKey: 'k',
    clientId: 'cid',
    retry: { attempts: 3, baseDelayMs: 1, onRetry: (info) => retries.push(info) }
  })
  await t.rejects(client.getContact(1), { code: 'ECONNREFUSED' })
  t.equal(retries.length, 2)
})

t.test('a PsaHttpError keeps the first 2 KB of a large response body and says it cut the rest', async (t) => {
  const page = `<html>${'x'.repeat(100_000)}</html>`
  const err = new PsaHttpError(502, 'GET', 'http://x/', undefined, page)
  t.equal(err.responseText, `${page.slice(0, RESPONSE_TEXT_LIMIT)}… (truncated: ${page.length} characters in all)`)
  t.equal(new PsaHttpError(502, 'GET', 'http://x/', undefined, 'short').responseText, 'short')
  t.equal(new PsaHttpError(502, 'GET', 'http://x/').responseText, undefined)
})
