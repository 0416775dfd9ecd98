import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { BoundedWrites, pipePages, pipePagesConcurrently } from '../../src/sync/pipeline.js'

t.test('pipePages asks for the next page before writing the current one', async (t) => {
  const events: string[] = []
  async function * pages (): AsyncGenerator<number, string, undefined> {
    for (let page = 1; page <= 3; page++) {
      events.push(`read ${page}`)
      yield page
    }
    return 'done'
  }
  const result = await pipePages(pages(), async (page) => {
    events.push(`write ${page}`)
    await sleep(5)
  })
  t.equal(result, 'done', "the source's return value")
  t.same(events, ['read 1', 'read 2', 'write 1', 'read 3', 'write 2', 'write 3'])
})

t.test('BoundedWrites runs at most `limit` writes at once and drain() waits for all', async (t) => {
  const writes = new BoundedWrites(2)
  let running = 0
  let most = 0
  const done: number[] = []
  for (let i = 0; i < 6; i++) {
    await writes.add(async () => {
      most = Math.max(most, ++running)
      await sleep(i % 2 === 0 ? 10 : 2)
      running--
      done.push(i)
    })
  }
  await writes.drain()
  t.equal(most, 2, 'two at a time')
  t.same([...done].sort(), [0, 1, 2, 3, 4, 5], 'every write ran to its end')
})

t.test('a failed write is thrown by the next add() and by drain(), never left unhandled', async (t) => {
  const writes = new BoundedWrites(1)
  const failure = new Error('update failed')
  await writes.add(async () => { await sleep(2); throw failure })
  await t.rejects(writes.add(async () => {}), failure, 'the next add() waits for a free slot, then throws')
  await t.rejects(writes.drain(), failure, 'drain() throws it too')

  const other = new BoundedWrites(2)
  let finished = false
  await other.add(async () => { await sleep(1); throw failure })
  await other.add(async () => { await sleep(10); finished = true })
  await t.rejects(other.drain(), failure)
  t.ok(finished, 'drain() waited for the write still running before throwing')
})

t.test('pipePagesConcurrently starts writes in page order, at most `inFlight` at once, and settles them all before it fails', async (t) => {
  async function * pages (count: number, failAfter?: number): AsyncGenerator<number, string, undefined> {
    for (let page = 1; page <= count; page++) {
      if (page === failAfter) throw new Error('the source failed')
      yield page
    }
    return 'done'
  }
  const started: number[] = []
  let running = 0
  let most = 0
  const result = await pipePagesConcurrently(pages(6), async (page) => {
    started.push(page)
    most = Math.max(most, ++running)
    await sleep(page % 2 === 0 ? 2 : 8)
    running--
  }, 2)
  t.equal(result, 'done')
  t.same(started, [1, 2, 3, 4, 5, 6], 'in page order')
  t.equal(most, 2)

  let settled = 0
  await t.rejects(pipePagesConcurrently(pages(6, 4), async () => { await sleep(10); settled++ }, 2), /the source failed/)
  t.equal(settled, 3, 'the writes of the pages before the failure had finished')
  await t.rejects(pipePagesConcurrently(pages(6), async (page) => {
    await sleep(1)
    if (page === 2) throw new Error('write 2 failed')
  }, 2), /write 2 failed/)
})
