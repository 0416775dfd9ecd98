import t from 'tap'
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { connect, type ConsumerConfig, type StreamConfig } from 'nats'
import { createBusFromConfig, createNaming, defaultLimits, deleteNatsNamespace } from '@m365/bus'
import { allEvents, createEvent, SyncRequested } from '@m365/contracts'
import { kedaConsumer, root } from './expectations.js'

// deploy/nats/ must describe what the bus really creates: the same streams, subjects and limits
// (checked against @m365/contracts and @m365/bus), accepted by the NATS server CI runs (2.9),
// and usable by the bus as they are when an operator created them first.

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222'
const streamFiles = ['EVENTS', 'JOBS', 'DLQ'] as const
const readJson = <T>(path: string): T => JSON.parse(readFileSync(join(root, 'deploy/nats', path), 'utf8')) as T
const streams = Object.fromEntries(streamFiles.map((name) => [name, readJson<StreamConfig>(`streams/${name}.json`)])) as Record<typeof streamFiles[number], StreamConfig>
const consumer = readJson<ConsumerConfig>(`consumers/${kedaConsumer.stream}/${kedaConsumer.durable}.json`)
const nanos = (ms: number) => ms * 1_000_000

t.test('the stream files match the contracts and the bus defaults', async (t) => {
  const production = createNaming('')
  t.same(Object.keys(streams), Object.values(production.streams), 'the bus\'s stream names, unprefixed in production')
  const subjectsOf = (kind: 'events' | 'jobs') => allEvents.filter((c) => c.stream === kind).map((c) => c.subject).sort()
  t.same([...streams.EVENTS.subjects].sort(), subjectsOf('events'), 'EVENTS holds every events subject of the catalog')
  t.same([...streams.JOBS.subjects].sort(), subjectsOf('jobs'), 'JOBS holds every jobs subject')
  t.same(streams.DLQ.subjects, [production.dlqWildcard], 'DLQ holds dlq.>')
  t.equal(streams.EVENTS.retention, 'limits', 'EVENTS: limits retention')
  t.equal(streams.JOBS.retention, 'workqueue', 'JOBS: work queue')
  t.equal(streams.DLQ.retention, 'limits', 'DLQ: limits retention')
  t.equal(streams.EVENTS.max_age, nanos(defaultLimits.eventsMaxAgeMs), 'EVENTS keeps what the bus keeps')
  t.equal(streams.DLQ.max_age, nanos(defaultLimits.deadLetterMaxAgeMs), 'DLQ keeps what the bus keeps')
  for (const name of streamFiles) {
    t.equal(streams[name].duplicate_window, nanos(defaultLimits.duplicateWindowMs), `${name}: the bus's dedupe window`)
    t.equal(streams[name].storage, 'file', `${name}: file storage`)
  }
  t.equal(consumer.durable_name, `graph-sync-${kedaConsumer.subject.replaceAll('.', '-')}`, 'durable named <service>-<subject-with-dashes>')
  t.equal(consumer.ack_policy, 'explicit', 'explicit acks')
  t.equal(consumer.max_deliver, -1, 'the bus bounds deliveries itself (max_deliver -1 on the server)')
})

t.test('the NATS server accepts the files, and the bus works on streams and a consumer made from them', async (t) => {
  const namespace = `mc_${randomUUID().slice(0, 8)}`
  const naming = createNaming(namespace)
  const nc = await connect({ servers: NATS_URL })
  t.teardown(async () => {
    await deleteNatsNamespace({ url: NATS_URL, namespace })
    await nc.close()
  })
  const jsm = await nc.jetstreamManager()
  // as an operator would with `nats stream add --config`, in a namespace of our own, on one server
  const wire = (config: StreamConfig): StreamConfig => ({
    ...config,
    name: naming.streams[config.name === 'EVENTS' ? 'events' : config.name === 'JOBS' ? 'jobs' : 'dlq'],
    subjects: config.subjects.map((s) => naming.subject(s)),
    num_replicas: 1
  })
  for (const name of streamFiles) await jsm.streams.add(wire(streams[name]))
  await jsm.consumers.add(naming.streams.jobs, { ...consumer, filter_subject: naming.subject(consumer.filter_subject ?? '') })

  const bus = await createBusFromConfig({ NATS_URL, BUS_NAMESPACE: namespace, name: 'manifest-check' })
  t.teardown(() => bus.close())
  for (const name of streamFiles) {
    const { config } = await jsm.streams.info(wire(streams[name]).name)
    const mine = wire(streams[name])
    t.same([...config.subjects].sort(), [...mine.subjects].sort(), `${name}: the bus needed no subject beyond the file's`)
    for (const key of ['retention', 'max_age', 'duplicate_window', 'storage', 'discard', 'max_bytes'] as const) {
      t.equal(config[key], mine[key], `${name}: ${key} as in the file after the bus started`)
    }
  }

  const received: string[] = []
  await bus.consume(SyncRequested, { durable: kedaConsumer.durable }, async (event) => { received.push(event.data.syncId) })
  const syncId = randomUUID()
  await bus.publish(SyncRequested, createEvent(SyncRequested, {
    syncId, tenantId: randomUUID(), clientId: randomUUID(), mode: 'auto', reason: 'manual', requestedAt: new Date().toISOString()
  }))
  const deadline = Date.now() + 10_000
  while (received.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25))
  t.same(received, [syncId], 'graph-sync\'s durable (the one KEDA watches) delivered the job')
  let left = -1
  while (Date.now() < deadline) {
    left = (await jsm.streams.info(naming.streams.jobs)).state.messages
    if (left === 0) break
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  t.equal(left, 0, 'the acked job left the work queue')
  const info = await jsm.consumers.info(naming.streams.jobs, kedaConsumer.durable)
  t.equal(info.config.filter_subject, naming.subject(kedaConsumer.subject), 'still the pre-created durable on sync.requested')
  t.equal(info.num_pending, 0, 'no lag left for KEDA to see')
})
