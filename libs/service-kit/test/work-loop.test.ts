import t from 'tap'
import pino from 'pino'
import { createWorkLoop } from '../src/index.js'

const log = pino({ level: 'silent' })

/** Polls until `condition` holds (deadline, no fixed sleeps). */
async function waitFor (condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

t.test('runs again at once while there is more, then waits for the interval or a wake', async (t) => {
  let passes = 0
  let backlog = 3
  const loop = createWorkLoop({ name: 'test', log, intervalMs: 60_000, work: async () => { passes++; return --backlog > 0 } })
  t.equal(passes, 0, 'nothing before start')
  loop.start().start()
  await waitFor(() => passes === 3, 'the backlog')
  backlog = 1
  loop.wake()
  await waitFor(() => passes === 4, 'the woken pass')
  await loop.stop()
  t.equal(passes, 4, 'one loop, however often started')
})

t.test('a wake during a pass runs another pass right after it', async (t) => {
  let passes = 0
  let release: () => void = () => {}
  const loop = createWorkLoop({
    name: 'test', log, intervalMs: 60_000, work: async () => { passes++; if (passes === 1) await new Promise<void>((resolve) => { release = resolve }); return false }
  }).start()
  await waitFor(() => passes === 1, 'the first pass')
  loop.wake()
  release()
  await waitFor(() => passes === 2, 'the second pass')
  await loop.stop()
})

t.test('stop waits for the pass in flight and ends the loop', async (t) => {
  let finished = false
  let started = false
  const loop = createWorkLoop({
    name: 'test', log, intervalMs: 10, work: async () => { started = true; await new Promise((resolve) => setTimeout(resolve, 50)); finished = true; return true }
  }).start()
  await waitFor(() => started, 'a pass')
  await loop.stop()
  t.ok(finished, 'the pass finished before stop resolved')
})

t.test('a failing pass is logged with its count and retried; passes after it run on quietly', async (t) => {
  const warnings: unknown[] = []
  const failing = pino({ level: 'warn' }, { write: (line: string) => { warnings.push(JSON.parse(line)) } })
  let passes = 0
  const loop = createWorkLoop({
    name: 'flaky', log: failing, intervalMs: 10, maxBackoffMs: 40, work: async () => { if (++passes <= 3) throw new Error('db is down'); return false }
  }).start()
  await waitFor(() => passes >= 5, 'passes after the failures')
  await loop.stop()
  t.equal(warnings.length, 3)
  t.match(warnings[2], { loop: 'flaky', failures: 3, err: { message: 'db is down' }, msg: 'work loop pass failed' })
})

t.test('firstPassAfterInterval: nothing runs at start; a wake() runs the first pass; stop() during the wait ends the loop', async (t) => {
  let passes = 0
  const loop = createWorkLoop({ name: 'late', log, intervalMs: 60_000, firstPassAfterInterval: true, work: async () => { passes++; return false } }).start()
  await new Promise((resolve) => setTimeout(resolve, 20))
  t.equal(passes, 0, 'no pass before the interval')
  loop.wake()
  await waitFor(() => passes === 1, 'the woken pass')
  await loop.stop()

  const idle = createWorkLoop({ name: 'idle', log, intervalMs: 60_000, firstPassAfterInterval: true, work: async () => { passes++; return false } }).start()
  await idle.stop()
  t.equal(passes, 1, 'a loop stopped before its first pass ran none')
})
