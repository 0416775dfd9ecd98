import t from 'tap'
import { Semaphore } from '../src/semaphore.js'

t.test('never more than max at once, waiters served in order', async (t) => {
  const slots = new Semaphore(2)
  const started: number[] = []
  const release: Array<() => void> = []
  const jobs = [0, 1, 2, 3].map((i) => slots.run(() => new Promise<number>((resolve) => {
    started.push(i)
    release[i] = () => resolve(i)
  })))
  await new Promise((resolve) => setImmediate(resolve))
  t.same(started, [0, 1])
  t.equal(slots.active, 2)
  release[1]!()
  await new Promise((resolve) => setImmediate(resolve))
  t.same(started, [0, 1, 2], 'the freed slot goes to the first waiter')
  release[0]!(); release[2]!()
  await new Promise((resolve) => setImmediate(resolve))
  release[3]!()
  t.same(await Promise.all(jobs), [0, 1, 2, 3])
  t.equal(slots.active, 0)
})

t.test('a failing job frees its slot', async (t) => {
  const slots = new Semaphore(1)
  await t.rejects(slots.run(async () => { throw new Error('boom') }))
  t.equal(await slots.run(async () => 'next'), 'next')
})
