import t from 'tap'
import { backoffDelay, isTransientError, parseRetryAfter, RETRYABLE_STATUS } from '@m365/graph'

t.test('Retry-After in seconds, fractional seconds and HTTP dates', async (t) => {
  t.equal(parseRetryAfter('2'), 2000)
  t.equal(parseRetryAfter('2.128'), 2128)
  t.equal(parseRetryAfter(' 0 '), 0)
  const now = Date.parse('2025-01-14T10:22:31Z')
  t.equal(parseRetryAfter('Tue, 14 Jan 2025 10:22:41 GMT', now), 10_000)
  t.equal(parseRetryAfter('Tue, 14 Jan 2025 10:22:21 GMT', now), 0, 'a date in the past means now')
  t.equal(parseRetryAfter(null), null)
  t.equal(parseRetryAfter(''), null)
  t.equal(parseRetryAfter('soon'), null)
  t.equal(parseRetryAfter('-3'), null)
})

t.test('full-jitter backoff grows exponentially and stays under the cap', async (t) => {
  const policy = { baseDelayMs: 1000, maxDelayMs: 60_000 }
  const top = () => 0.999999
  t.equal(backoffDelay(1, policy, top), 999)
  t.equal(backoffDelay(2, policy, top), 1999)
  t.equal(backoffDelay(4, policy, top), 7999)
  t.equal(backoffDelay(12, policy, top), 59_999, 'capped')
  t.equal(backoffDelay(3, policy, () => 0), 0, 'full jitter reaches zero')
})

t.test('what is retried', async (t) => {
  t.same([...RETRYABLE_STATUS].sort(), [429, 503, 504])
  t.ok(isTransientError(new DOMException('The operation was aborted due to timeout', 'TimeoutError')))
  t.ok(isTransientError(new TypeError('fetch failed', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) })))
  t.ok(isTransientError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })))
  t.notOk(isTransientError(Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' })))
  t.notOk(isTransientError(new DOMException('aborted', 'AbortError')), 'our own abort is final')
  t.notOk(isTransientError('nope'))
})
