import t from 'tap'
import { RateLimiter, reportRateLimit } from '@m365/graph'

/** A clock the test moves by hand: no real waiting, no timing assertions. */
function fakeClock () {
  let now = 0
  const timers: Array<{ at: number, fire: () => void }> = []
  return {
    now: () => now,
    sleep: (ms: number) => new Promise<void>((resolve) => { timers.push({ at: now + ms, fire: resolve }) }),
    async advance (ms: number) {
      now += ms
      for (const timer of timers.filter((x) => x.at <= now)) {
        timers.splice(timers.indexOf(timer), 1)
        timer.fire()
      }
      for (let i = 0; i < 10; i++) await Promise.resolve() // let woken waiters run
    }
  }
}

async function settled (promises: Array<Promise<unknown>>) {
  const done = promises.map(() => false)
  promises.forEach((p, i) => { p.then(() => { done[i] = true }, () => { done[i] = true }) })
  for (let i = 0; i < 10; i++) await Promise.resolve()
  return done
}

t.test('5 requests per 10 s: the sixth waits for the first to leave the window', async (t) => {
  const clock = fakeClock()
  const limiter = new RateLimiter({ limit: 5, intervalMs: 10_000, now: clock.now, sleep: clock.sleep })
  const takes = Array.from({ length: 7 }, () => limiter.take())
  t.same(await settled(takes), [true, true, true, true, true, false, false])
  await clock.advance(9_999)
  t.same(await settled(takes), [true, true, true, true, true, false, false], 'still inside the window')
  await clock.advance(1)
  t.same(await settled(takes), [true, true, true, true, true, true, true], 'the first five left the window')
})

t.test("the report limit: Entra's 5 per 10 s (plus a margin) unless configured", async (t) => {
  t.match(reportRateLimit(), { limit: 5, intervalMs: 10_500 })
  t.match(reportRateLimit(50), { limit: 50, intervalMs: 10_500 })
})

t.test('grants spread over time are not held back', async (t) => {
  const clock = fakeClock()
  const limiter = new RateLimiter({ limit: 2, intervalMs: 1000, now: clock.now, sleep: clock.sleep })
  await limiter.take()
  await clock.advance(600)
  await limiter.take()
  const third = limiter.take()
  t.same(await settled([third]), [false])
  await clock.advance(400)
  t.same(await settled([third]), [true], 'free once the first grant is 1000 ms old')
})

t.test('an aborted waiter gives up without blocking the ones behind it', async (t) => {
  const clock = fakeClock()
  const limiter = new RateLimiter({ limit: 1, intervalMs: 1000, now: clock.now, sleep: clock.sleep })
  await limiter.take()
  const controller = new AbortController()
  controller.abort()
  await t.rejects(limiter.take(controller.signal))
  const next = limiter.take()
  await clock.advance(1000)
  t.same(await settled([next]), [true])
})

t.test('bad limits are refused', async (t) => {
  t.throws(() => new RateLimiter({ limit: 0, intervalMs: 1000 }), RangeError)
  t.throws(() => new RateLimiter({ limit: 1, intervalMs: 0 }), RangeError)
})
