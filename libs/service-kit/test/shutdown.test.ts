import t from 'tap'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { randomBytes } from 'node:crypto'
import { createInterface } from 'node:readline'
import postgres from 'postgres'
import { ClientCreated, createEvent } from '@m365/contracts'
import { createNatsBus, deleteNatsNamespace } from '@m365/bus'
import { createTestDatabase } from '@m365/db/testing'
import { DURABLE } from './fixtures/app.js'
import { waitFor } from './helper.js'

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222'
const root = new URL('..', import.meta.url).pathname

t.test('SIGTERM during a slow handler: it finishes and acks, then bus and db close, exit 0', async (t) => {
  const database = await createTestDatabase(t)
  const namespace = `t_${randomBytes(6).toString('hex')}`
  const bus = await createNatsBus({ url: NATS_URL, namespace })
  t.teardown(async () => {
    await bus.close()
    await deleteNatsNamespace({ url: NATS_URL, namespace })
  })

  const child = spawn(process.execPath, ['--conditions=@m365/source', '--import', 'tsx', 'test/fixtures/server.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      DATABASE_URL: database.url,
      NATS_URL,
      BUS_NAMESPACE: namespace,
      HANDLER_DELAY_MS: '1500',
      CLOSE_GRACE_MS: '20000'
    },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  const exited = once(child, 'exit')
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const lines: Array<Record<string, unknown>> = []
  createInterface({ input: child.stdout }).on('line', (line) => {
    try { lines.push(JSON.parse(line) as Record<string, unknown>) } catch { lines.push({ msg: line }) }
  })
  const seen = (msg: string | RegExp) => lines.some((line) => typeof line.msg === 'string' &&
    (typeof msg === 'string' ? line.msg === msg : msg.test(line.msg)))

  await waitFor(() => seen(/^Server listening/) || child.exitCode !== null, 'the server listening', 120_000)
  t.ok(seen(/^Server listening/), `listening (stderr: ${stderr})`)

  const event = createEvent(ClientCreated, {
    clientId: '0b7c1a2e-3d4f-4a5b-8c6d-7e8f9a0b1c2d', name: 'Fabrikam', createdAt: new Date().toISOString()
  })
  await bus.publish(ClientCreated, event)
  await waitFor(() => seen('handler started'), 'the handler started', 120_000)
  child.kill('SIGTERM')
  const [code, signal] = await exited
  t.equal(code, 0, `exit code 0 (signal ${signal}, stderr: ${stderr})`)

  const order = ['handler started', 'closing', 'handler finished', 'service closed', 'closed']
  const positions = order.map((msg) => lines.findIndex((line) => line.msg === msg))
  t.same(positions.map((position) => position >= 0), order.map(() => true), `logged: ${order.join(', ')}`)
  t.same([...positions].sort((a, b) => a - b), positions, 'in that order')
  t.match(lines.find((line) => line.msg === 'closing'), { signal: 'SIGTERM' })

  t.same(await bus.consumerState(ClientCreated, DURABLE), { pending: 0, ackPending: 0 }, 'the message was acked')
  const sql = postgres(database.url, { max: 1 })
  t.teardown(() => sql.end())
  const rows = await sql`select event_id from kit_test.handled`
  t.same(rows.map((row) => row.event_id), [event.id], 'the handler wrote before the db closed')
})
