import type { Test } from 'tap'
import { randomUUID } from 'node:crypto'
import { InvalidEventError, TenantConnected, TokenRequest } from '@m365/contracts'
import { BusClosedError, RequestFailedError } from '../../src/index.js'
import { tenantConnected } from '../helpers/events.js'
import { latch } from '../helpers/wait.js'
import type { MakeBus } from './types.js'

const token = { ok: true as const, accessToken: 'token-1', expiresOn: new Date(Date.now() + 3600_000).toISOString() }

/** Request/reply, ping, closing the bus. */
export function requestsContract (t: Test, makeBus: MakeBus): void {
  t.test('bus.close() waits for in-flight handlers, then refuses work', async (t) => {
    const { bus } = await makeBus(t)
    const started = latch()
    const release = latch()
    let finished = false
    await bus.consume(TenantConnected, { durable: 'report-tenant-connected' }, async () => {
      started.open()
      await release.promise
      finished = true
    })
    await bus.publish(TenantConnected, tenantConnected())
    await started.promise
    const closing = bus.close()
    release.open()
    await closing
    t.equal(finished, true)
    await t.rejects(bus.publish(TenantConnected, tenantConnected()), BusClosedError)
    await t.rejects(bus.ping(), BusClosedError)
  })

  t.test('request/serve round trip, validated both ways', async (t) => {
    const { bus } = await makeBus(t)
    const tenantId = randomUUID()
    const asked: string[] = []
    await bus.serve(TokenRequest, async (req) => {
      asked.push(req.tenantId)
      if (req.scope === 'throw') throw new Error('key vault unreachable')
      if (req.scope === 'invalid') return { ok: true, accessToken: '', expiresOn: 'soon' } as never
      return token
    })
    t.same(await bus.request(TokenRequest, { tenantId }), token)
    t.same(asked, [tenantId])

    const invalid = await bus.request(TokenRequest, { tenantId: 'nope' }).then(() => undefined, (e: unknown) => e)
    t.type(invalid, InvalidEventError)
    t.equal((invalid as InvalidEventError).field, '/tenantId')
    t.equal(asked.length, 1, 'an invalid request is not sent')

    const thrown = await bus.request(TokenRequest, { tenantId, scope: 'throw' }).then(() => undefined, (e: unknown) => e)
    t.type(thrown, RequestFailedError)
    t.match(thrown, { reason: 'handler_error', message: /key vault unreachable/ })

    const badReply = await bus.request(TokenRequest, { tenantId, scope: 'invalid' }).then(() => undefined, (e: unknown) => e)
    t.match(badReply, { reason: 'invalid_reply', message: /tokens\.get reply/ })
  })

  t.test('serve replicas share the requests, each answered once', async (t) => {
    const { bus } = await makeBus(t)
    const calls = { a: 0, b: 0 }
    await bus.serve(TokenRequest, async () => { calls.a++; return token })
    await bus.serve(TokenRequest, async () => { calls.b++; return token })
    for (let i = 0; i < 20; i++) await bus.request(TokenRequest, { tenantId: randomUUID() })
    t.equal(calls.a + calls.b, 20)
  })

  t.test('a request nobody serves, or nobody answers in time, rejects', async (t) => {
    const { bus } = await makeBus(t)
    const nobody = await bus.request(TokenRequest, { tenantId: randomUUID() }, { timeoutMs: 500 }).then(() => undefined, (e: unknown) => e)
    t.type(nobody, RequestFailedError)
    t.match((nobody as RequestFailedError).reason, /^(no_responders|timeout)$/)
    const release = latch()
    await bus.serve(TokenRequest, async () => { await release.promise; return token })
    const slow = await bus.request(TokenRequest, { tenantId: randomUUID() }, { timeoutMs: 200 }).then(() => undefined, (e: unknown) => e)
    release.open()
    t.match(slow, { reason: 'timeout' })
  })

  t.test('ping resolves on a working bus', async (t) => {
    const { bus } = await makeBus(t)
    await t.resolves(bus.ping())
  })
}
