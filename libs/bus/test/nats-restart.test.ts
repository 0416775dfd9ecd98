import t from 'tap'
import { TenantConnected } from '@m365/contracts'
import { createNatsBus, type BusLogger } from '../src/index.js'
import { tenantConnected } from './helpers/events.js'
import { PrivateNatsServer } from './helpers/nats-server.js'
import { waitFor } from './helpers/wait.js'

function recordingLogger (): BusLogger & { warnings: string[] } {
  const warnings: string[] = []
  const noop = () => {}
  return { warnings, debug: noop, info: noop, error: noop, warn: (_obj, msg) => { warnings.push(msg ?? '') } }
}

async function publishWhenUp (publish: () => Promise<void>): Promise<void> {
  await waitFor(() => publish().then(() => true, () => false), 'a publish to succeed after the restart', 30_000)
}

t.test('consumers survive a NATS restart', async (t) => {
  const server = await PrivateNatsServer.start()
  const log = recordingLogger()
  const bus = await createNatsBus({ url: server.url, namespace: 'restart', log })
  t.teardown(async () => {
    await bus.close()
    await server.dispose()
  })
  const seen: string[] = []
  await bus.consume(TenantConnected, { durable: 'report-tenant-connected' }, async (e) => { seen.push(e.id) })

  const before = tenantConnected()
  await bus.publish(TenantConnected, before)
  await waitFor(() => seen.includes(before.id), 'the event before the restart')

  await server.stop()
  await server.start()
  const after = tenantConnected()
  await publishWhenUp(() => bus.publish(TenantConnected, after))
  await waitFor(() => seen.includes(after.id), 'the event after the restart', 30_000)
  t.same(seen, [before.id, after.id], 'each once')
})

t.test('a restart that lost JetStream state: streams and the consumer are re-created, with a warning', async (t) => {
  const server = await PrivateNatsServer.start()
  const log = recordingLogger()
  const bus = await createNatsBus({ url: server.url, namespace: 'wiped', log })
  t.teardown(async () => {
    await bus.close()
    await server.dispose()
  })
  const seen: string[] = []
  await bus.consume(TenantConnected, { durable: 'report-tenant-connected' }, async (e) => { seen.push(e.id) })

  await server.wipe()
  await server.start()
  const after = tenantConnected()
  await publishWhenUp(() => bus.publish(TenantConnected, after))
  await waitFor(() => seen.includes(after.id), 'the event after the wipe', 30_000)
  t.ok(log.warnings.includes('consume loop failed, re-creating it'), 'the failure was logged')
  await t.resolves(bus.ping())
})
