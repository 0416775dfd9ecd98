import t from 'tap'
import { randomUUID } from 'node:crypto'
import { createNatsBus, deleteNatsNamespace } from '../src/index.js'
import { busContract } from './contract.js'

const url = process.env.NATS_URL || 'nats://127.0.0.1:4222'
const fileNamespace = `bustest_${randomUUID().slice(0, 8)}`
let n = 0

busContract(t, async (t) => {
  const namespace = `${fileNamespace}_${++n}`
  const bus = await createNatsBus({ url, namespace })
  t.teardown(async () => {
    await bus.close()
    await deleteNatsNamespace({ url, namespace })
  })
  const js = bus.connection.jetstream()
  return { bus, publishRaw: async (contract, payload) => { await js.publish(bus.naming.subject(contract.subject), payload) } }
})
