import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { freePort, httpReady, Supervised, workDir } from '../src/index.js'

// a stand-in service: /readyz answers 200, SIGTERM closes it gracefully (exit 0) after saying so
const SERVER = `
const server = require('node:http').createServer((req, res) => res.end('ok')).listen(Number(process.env.PORT), '127.0.0.1')
console.log('listening as', process.pid)
process.on('SIGTERM', () => { console.log('closing'); server.close(() => process.exit(0)) })
`

async function standIn (t: Test, dir: string) {
  const port = await freePort()
  const p = new Supervised({
    name: 'stand-in',
    command: process.execPath,
    args: ['-e', SERVER],
    cwd: dir,
    env: { PORT: String(port) },
    logFile: join(dir, 'stand-in.log'),
    ready: httpReady(`http://127.0.0.1:${port}/readyz`)
  })
  t.teardown(() => p.kill())
  return p
}

t.test('start, stop with SIGTERM, kill -9, restart: one log for every run', async (t) => {
  const dir = await workDir(t, 'supervisor')
  const p = await standIn(t, dir)
  await p.startReady()
  const first = p.pid
  t.ok(p.running, 'started and ready')

  await p.stop()
  t.equal(p.exit, 0, 'SIGTERM: closed gracefully')
  await p.startReady()
  t.not(p.pid, first, 'started again as a new process')

  await p.kill()
  t.equal(p.exit, 'SIGKILL', 'kill: SIGKILL')
  t.notOk(p.running, 'and it is gone')

  await p.startReady()
  const before = p.pid
  await p.restart({ hard: true })
  t.ok(p.running && p.pid !== before, 'restart: killed and started again, ready')

  const log = await readFile(p.spec.logFile, 'utf8')
  t.equal(log.match(/----- stand-in: start #\d/g)?.length, 4, 'every start is marked in the log')
  t.equal(log.match(/listening as/g)?.length, 4, 'and its output captured')
  t.match(await p.tail(2), /listening as \d+$/, 'tail gives the last lines')
})

t.test('a process that exits before it is ready fails the wait at once, with its last words', async (t) => {
  const dir = await workDir(t, 'supervisor')
  const p = new Supervised({
    name: 'misconfigured',
    command: process.execPath,
    args: ['-e', 'console.error("config: PORT must be integer"); process.exit(1)'],
    cwd: dir,
    env: {},
    logFile: join(dir, 'misconfigured.log'),
    ready: { what: 'never', check: async () => false }
  })
  // the deadline is far away: only the exit can end the wait with this message
  await t.rejects(p.startReady(120_000), /misconfigured exited \(1\) before it was ready[\s\S]*PORT must be integer/)
})
